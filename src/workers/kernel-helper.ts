/**
 * A helper thread of the WASM kernel. Started ahead (a ThreadSource, threads.ts), it compiles
 * the kernel's build and waits for its job description: the main thread's shared memory, the plan
 * and which build it runs. It primes the build (`primeKernelBuild`, so that its first real rows do
 * not run in V8's baseline code), instantiates the kernel over the shared memory, says it is ready,
 * then sleeps in `Atomics.wait` until the main thread posts a job (a range of rows of the current
 * batch), runs that range and says it is done. The main thread runs the other rows meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import { attach, relaxedSimdSupported } from '../wasm/module.js';
import { CTL, runRows, type HelperInit } from '../kernels/wasm-plan.js';
import { primeKernelBuild } from '../wasm/prime.js';

// Compiled and primed ahead, while the main thread loads the weights: the build the main thread's
// kernel takes unless it is asked for the plain one (then primed when the job says so).
primeKernelBuild(relaxedSimdSupported() ? 'relaxed-simd' : 'simd');

function serve(init: HelperInit): void {
  const ctl = new Int32Array(init.memory.buffer, init.control, CTL.SIZE);
  primeKernelBuild(init.build);
  const k = attach(init.memory, init.build);
  Atomics.store(ctl, CTL.READY, 1);
  let seen = Atomics.load(ctl, CTL.JOB);
  for (;;) {
    Atomics.wait(ctl, CTL.JOB, seen);
    if (Atomics.load(ctl, CTL.STOP) === 1) break;
    const job = Atomics.load(ctl, CTL.JOB);
    if (job === seen) continue;
    seen = job;
    try {
      runRows(k, init.plan, init.nz, Atomics.load(ctl, CTL.FROM), Atomics.load(ctl, CTL.TO));
    } catch {
      Atomics.store(ctl, CTL.FAILED, 1);
    }
    Atomics.store(ctl, CTL.DONE, job);
    Atomics.notify(ctl, CTL.DONE);
  }
  parentPort?.close();
}

parentPort?.once('message', serve);
