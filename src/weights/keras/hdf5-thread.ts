/**
 * Reads an HDF5 file's tree in a thread of its own, because jsfive cannot be bounded from outside:
 * its B-tree reader keeps no record of the nodes it visited, so a small file whose nodes fan out to
 * the same children level after level makes it work and allocate almost without end. The thread
 * runs under a heap limit sized from the file and the weights budget, and a deadline scaled with
 * the file's size; past either it is ended, and the caller gets one InputError.
 */
import { Worker } from 'node:worker_threads';
import { InputError } from '../../errors.js';
import { workerUrl } from '../../wasm/worker-url.js';
import type { Hdf5GroupEntry, Hdf5Job, Hdf5Reply } from './hdf5-snapshot.js';

export interface Hdf5ThreadLimits {
  /** The most milliseconds the read may take; default 20 s and 1 s more per 4 MiB of file. */
  readonly deadlineMs?: number;
  /** The thread's heap limit in MiB (V8's old generation); default {@link defaultHeapMib}. */
  readonly heapMib?: number;
  /** Ends the thread when it aborts (Ctrl-C), the read then rejected with its reason. */
  readonly signal?: AbortSignal;
}

const MIB = 1024 * 1024;
const BASE_DEADLINE_MS = 20_000;
/** A second per 4 MiB: jsfive reads float data an order of magnitude faster than that, on a loaded machine too. */
const DEADLINE_MS_PER_4MIB = 1000;
/** The thread's own code (jsfive, and tsx when run from the sources) and the tree of a Keras file. */
const BASE_HEAP_MIB = 128;
/** Past what any machine running this gives a thread: the budget alone does not raise it further. */
const MAX_HEAP_MIB = 16_384;

/**
 * jsfive returns a dataset's values as a JS array of doubles (8 bytes a value, twice a float32's
 * size) and the thread copies it into a typed array (kept off the heap), so a heap of four times
 * the largest dataset it may read (never more than the file, nor the budget) holds it.
 */
export function defaultHeapMib(fileBytes: number, maxBytes: number): number {
  return Math.min(MAX_HEAP_MIB, BASE_HEAP_MIB + Math.ceil((4 * Math.min(fileBytes, maxBytes)) / MIB));
}

export function defaultDeadlineMs(fileBytes: number): number {
  return BASE_DEADLINE_MS + Math.ceil(fileBytes / (4 * MIB)) * DEADLINE_MS_PER_4MIB;
}

/** The tree of the HDF5 `job.bytes`, read in a thread (given its own copy, so the caller's bytes stay usable). */
export function readHdf5Tree(job: Hdf5Job, limits: Hdf5ThreadLimits = {}): Promise<Hdf5GroupEntry> {
  const { file, what } = job;
  const deadlineMs = limits.deadlineMs ?? defaultDeadlineMs(job.bytes.byteLength);
  const heapMib = limits.heapMib ?? defaultHeapMib(job.bytes.byteLength, job.maxBytes);
  // setTimeout's longest delay; V8 needs some 16 MiB to start a thread at all.
  if (!Number.isInteger(deadlineMs) || deadlineMs < 1 || deadlineMs > 2 ** 31 - 1) throw new RangeError(`deadlineMs must be an integer from 1 to ${2 ** 31 - 1}, got ${deadlineMs}`);
  if (!Number.isInteger(heapMib) || heapMib < 16 || heapMib > MAX_HEAP_MIB) throw new RangeError(`heapMib must be an integer from 16 to ${MAX_HEAP_MIB}, got ${heapMib}`);
  // A copy of exactly these bytes to move to the thread (Buffer's slice would be a view, and moving it would empty the caller's).
  const bytes = new Uint8Array(job.bytes);
  const structure = what === 'HDF5 file' ? 'the HDF5 structure' : `the HDF5 structure of ${what}`;
  const tooMuch = (limit: string) => new InputError(file, `${structure} takes more than ${limit} to read (a cycle or a huge B-tree?)`);
  return new Promise<Hdf5GroupEntry>((resolve, reject) => {
    const { signal } = limits;
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    // No execArgv: Worker refuses the V8 and process-wide flags a parent may run with.
    const worker = new Worker(workerUrl(import.meta.url, 'hdf5-worker'), {
      workerData: { ...job, bytes } satisfies Hdf5Job,
      transferList: [bytes.buffer],
      resourceLimits: { maxOldGenerationSizeMb: heapMib },
      execArgv: [],
    });
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      worker.removeAllListeners();
      worker.on('error', () => undefined);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(() => settle(() => reject(tooMuch(formatDuration(deadlineMs)))), deadlineMs);
    const onAbort = () => settle(() => reject(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: Hdf5Reply) => settle(() => {
      if ('root' in reply) resolve(reply.root);
      else if ('problem' in reply) reject(new InputError(file, reply.problem));
      else reject(new Error(`the HDF5 reader's thread failed on ${file}: ${reply.crash}`));
    }));
    worker.on('error', (error: Error & { code?: string }) => settle(() => {
      reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooMuch(`${heapMib} MiB of memory`) : error);
    }));
    worker.on('exit', (code) => settle(() => reject(new Error(`the HDF5 reader's thread stopped (exit code ${code}) before it read ${file}`))));
  });
}

function formatDuration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
