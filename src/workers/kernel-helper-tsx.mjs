// The kernel helper's entry when the project runs from its TypeScript sources (tsx, ava): Node
// does not carry tsx's loader into worker threads, so register it here first.
import { register } from 'tsx/esm/api';

register();
await import('./kernel-helper.ts');
