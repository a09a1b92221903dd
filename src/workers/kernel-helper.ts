/**
 * A helper thread of the WASM kernel. Started ahead (a ThreadSource, threads.ts), it compiles
 * the kernel's build and waits for its job description: the main thread's shared memory, the plan
 * and which build it runs. It warms the plan's code up on a private copy of the layout (so that its first real rows do not
 * run in V8's baseline code), instantiates the kernel over the shared memory, says it is ready,
 * then sleeps in `Atomics.wait` until the main thread posts a job (a range of rows of the current
 * batch), runs that range and says it is done. The main thread runs the other rows meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import { attach, kernelModule, relaxedSimdSupported } from '../wasm/module.js';
import { CTL, runRows, type HelperInit } from '../kernels/wasm-plan.js';

// Compiled ahead: the build the main thread's kernel takes unless it is asked for the plain one.
kernelModule(relaxedSimdSupported() ? 'relaxed-simd' : 'simd');

function warmUp(init: HelperInit): void {
  const memory = new WebAssembly.Memory({ initial: init.memory.buffer.byteLength / 65536, maximum: init.memory.buffer.byteLength / 65536, shared: true });
  new Uint8Array(memory.buffer, init.plan.pixels, init.rows * init.plan.inputSize).fill(1);
  const k = attach(memory, init.build);
  for (let i = 0; i < 8; i++) runRows(k, init.plan, init.nz, 0, init.rows);
}

function serve(init: HelperInit): void {
  const ctl = new Int32Array(init.memory.buffer, init.control, CTL.SIZE);
  try {
    warmUp(init);
  } catch {
    // A warm-up is an optimisation only.
  }
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
