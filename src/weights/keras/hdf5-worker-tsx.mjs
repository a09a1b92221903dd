// The HDF5 reader's thread when the project runs from its TypeScript sources (tsx, ava): Node
// does not carry tsx's loader into worker threads, so register it here before loading the thread.
import { register } from 'tsx/esm/api';

register();
await import('./hdf5-worker.ts');
