/**
 * The HDF5 reader's thread: walks the file it is given (`workerData`, an {@link Hdf5Job}) and
 * posts one {@link Hdf5Reply}, the float values moved, not copied. It runs under the heap limit
 * and the deadline its parent (hdf5-thread.ts) set, which end it wherever jsfive is.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../../errors.js';
import type { Hdf5Entry, Hdf5Job, Hdf5Reply } from './hdf5-snapshot.js';
import { walkHdf5 } from './hdf5-walk.js';

function valueBuffers(entry: Hdf5Entry, into: ArrayBuffer[]): ArrayBuffer[] {
  if (entry.kind === 'dataset') {
    if (entry.values instanceof Float32Array || entry.values instanceof Float64Array) into.push(entry.values.buffer as ArrayBuffer);
  } else {
    for (const member of entry.members.values()) if ('kind' in member) valueBuffers(member, into);
  }
  return into;
}

let reply: Hdf5Reply;
let moved: ArrayBuffer[] = [];
try {
  const root = walkHdf5(workerData as Hdf5Job);
  reply = { root };
  moved = valueBuffers(root, []);
} catch (error) {
  reply = error instanceof InputError ? { problem: error.problem } : { crash: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
parentPort?.postMessage(reply, moved);
