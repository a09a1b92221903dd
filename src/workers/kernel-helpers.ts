/**
 * The WASM kernel's helper threads, startable ahead of the kernel: a thread takes some 40 ms to
 * start, about what one thread needs for the whole forward pass of 10,000 images, so the CLI starts
 * the helper while it is still loading (bin/mnist-eval.js) and the kernel adopts it when made.
 */
import { Worker } from 'node:worker_threads';
import { workerExecArgv, workerUrl } from './worker-url.js';

const spare: Worker[] = [];

/** Starts `count` helper threads now, for the next kernel that wants them. */
export function startKernelHelpers(count: number): void {
  for (let i = 0; i < count; i++) spare.push(spawnKernelHelper());
}

/** Hands over helper threads started elsewhere (by the CLI's bin, from dist/bundle/kernel-helper.js). */
export function adoptKernelHelpers(workers: readonly Worker[]): void {
  spare.push(...workers);
}

/** `count` helper threads: the spare ones first, new ones for the rest. */
export function takeKernelHelpers(count: number): Worker[] {
  const taken = spare.splice(0, count);
  while (taken.length < count) taken.push(spawnKernelHelper());
  return taken;
}

function spawnKernelHelper(): Worker {
  const worker = new Worker(workerUrl(import.meta.url, 'kernel-helper'), { execArgv: workerExecArgv() });
  worker.unref();
  return worker;
}
