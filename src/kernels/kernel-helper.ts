/**
 * A helper thread of the WASM kernel: it instantiates the kernel over the main thread's shared
 * memory, says it is ready, then sleeps in `Atomics.wait` until the main thread posts a job (a
 * range of rows of the current batch), runs that range through the same plan and says it is done.
 * The main thread runs the other rows meanwhile: one batch, both cores.
 */
import { workerData } from 'node:worker_threads';
import { attach, CTL, runRows, type HelperInit } from './wasm-plan.js';

const { memory, plan, nz, control } = workerData as HelperInit;
const ctl = new Int32Array(memory.buffer, control, CTL.SIZE);
const k = attach(memory);
Atomics.store(ctl, CTL.READY, 1);
let seen = Atomics.load(ctl, CTL.JOB);
for (;;) {
  Atomics.wait(ctl, CTL.JOB, seen);
  if (Atomics.load(ctl, CTL.STOP) === 1) break;
  const job = Atomics.load(ctl, CTL.JOB);
  if (job === seen) continue;
  seen = job;
  try {
    runRows(k, plan, nz, Atomics.load(ctl, CTL.FROM), Atomics.load(ctl, CTL.TO));
  } catch {
    Atomics.store(ctl, CTL.FAILED, 1);
  }
  Atomics.store(ctl, CTL.DONE, job);
  Atomics.notify(ctl, CTL.DONE);
}
