/**
 * Where the forward pass gets its threads: forward workers (`--workers N`) and the WASM kernel's
 * helper threads (`--threads N`). A thread takes tens of milliseconds to start, so a run starts
 * the ones its plan will use as soon as it knows how many (`threadsWanted`, before the weights
 * load), and the pool and the kernel take them when they are made; whatever was not started
 * ahead is started on demand. One source per run, passed down explicitly: nothing here is
 * module state.
 */
import { Worker } from 'node:worker_threads';
import { workerUrl } from '../wasm/worker-url.js';

/** The two kinds of thread, named after their entry modules (beside this one, or in dist/bundle/). */
export type ThreadKind = 'forward-worker' | 'kernel-helper';

export interface ThreadSource {
  /** Starts `count` threads of `kind` now, for later `take`s. */
  start(kind: ThreadKind, count: number): void;
  /** A thread of `kind`: one started ahead if any is left, else a new one. */
  take(kind: ThreadKind): Worker;
  /** Ends the threads started ahead and never taken. */
  close(): void;
}

/** Starts a thread of `kind` from its entry (`entry` overrides it, as the bench does with the bundle). */
export function spawnThread(kind: ThreadKind, entry: URL = workerUrl(import.meta.url, kind)): Worker {
  // No execArgv: Worker refuses the V8 and process-wide flags a parent may run with (`--no-liftoff` …).
  const worker = new Worker(entry, { execArgv: [] });
  worker.unref();
  return worker;
}

export function createThreadSource(): ThreadSource {
  const spare: Record<ThreadKind, Worker[]> = { 'forward-worker': [], 'kernel-helper': [] };
  return {
    start(kind, count) {
      for (let i = 0; i < count; i++) spare[kind].push(spawnThread(kind));
    },
    take: (kind) => spare[kind].shift() ?? spawnThread(kind),
    close() {
      for (const worker of [...spare['forward-worker'].splice(0), ...spare['kernel-helper'].splice(0)]) void worker.terminate();
    },
  };
}
