import test from 'ava';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { compileKernelModule, kernelBuildUnusable, kernelInstance, kernelModule, relaxedSimdSupported, type KernelBuild } from '../../src/wasm/module.js';
import { lowerTieringBudget, tieringBudgetAdjustable, withLowTieringBudget } from '../../src/wasm/tiering.js';

relaxedSimdSupported(); // sets Node 20's flag before the relaxed build is compiled

const BUILDS: readonly KernelBuild[] = ['simd', 'relaxed-simd'];

test.serial('a module compiled on this thread while the background compile is in flight stays the one every caller gets', async (t) => {
  // The first test of the file: nothing of this build is compiled in this thread yet.
  const inFlight = compileKernelModule('simd');
  const now = kernelModule('simd');
  await inFlight;
  t.is(kernelModule('simd'), now);
});

for (const build of BUILDS) {
  test.serial(`${build}: compileKernelModule's module is the one kernelModule then gives, every time, and it runs`, async (t) => {
    await compileKernelModule(build);
    const module = kernelModule(build);
    t.is(kernelModule(build), module);
    await compileKernelModule(build); // already in: resolves at once, changes nothing
    t.is(kernelModule(build), module);
    const { k, memory, base } = kernelInstance(64, build);
    new Float32Array(memory.buffer, base, 4).set([-2, 0, 3, -0.5]);
    k.reluInPlace(base, 4);
    t.deepEqual([...new Float32Array(memory.buffer, base, 4)], [0, 0, 3, 0]);
  });

  test(`${build}: the file is found and validated without compiling it`, (t) => {
    t.is(kernelBuildUnusable(build), undefined);
  });
}

test.serial('withLowTieringBudget runs its work once, told whether the budget was lowered, and passes its error on', (t) => {
  const calls: boolean[] = [];
  withLowTieringBudget((lowered) => calls.push(lowered));
  const known = ['20', '22', '24'].includes(process.versions.node.split('.')[0]);
  t.deepEqual(calls, [known && !(process.env.NODE_OPTIONS ?? '').includes('wasm-tiering-budget')]);
  t.throws(() => withLowTieringBudget(() => {
    throw new Error('inside');
  }), { message: 'inside' });
  // The budget was put back by the failure: another call runs as the first did.
  withLowTieringBudget((lowered) => calls.push(lowered));
  t.deepEqual(calls, [calls[0], calls[0]]);
});

test.serial('lowerTieringBudget says whether it lowered the budget, and its restore puts it back once however often it is called', (t) => {
  const { lowered, restore } = lowerTieringBudget();
  t.is(lowered, tieringBudgetAdjustable());
  restore();
  restore();
  // A module compiled and run after it behaves as any: the budget is only how soon V8 optimises.
  const { k, memory, base } = kernelInstance(16, 'simd');
  new Float32Array(memory.buffer, base, 4).set([1, -1, 2, -2]);
  k.reluInPlace(base, 4);
  t.deepEqual([...new Float32Array(memory.buffer, base, 4)], [1, 0, 2, 0]);
});

test.serial("a budget of the user's own (NODE_OPTIONS or the command line) is left alone", (t) => {
  const before = process.env.NODE_OPTIONS;
  try {
    process.env.NODE_OPTIONS = `${before ?? ''} --wasm-tiering-budget=5000`;
    t.false(tieringBudgetAdjustable());
    const calls: boolean[] = [];
    withLowTieringBudget((lowered) => calls.push(lowered));
    t.deepEqual(calls, [false]);
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
  }
  process.execArgv.push('--wasm-tiering-budget=5000');
  try {
    t.false(tieringBudgetAdjustable());
  } finally {
    process.execArgv.pop();
  }
});

test("a worker thread leaves V8's flags alone (they are the process's)", async (t) => {
  const tiering = new URL('../../src/wasm/tiering.ts', import.meta.url).href;
  // The worker loads the TypeScript module through tsx, as the test does.
  const code = `import('tsx/esm/api').then(({ register }) => register()).then(() => import(${JSON.stringify(tiering)}))
    .then((m) => require('node:worker_threads').parentPort.postMessage(m.tieringBudgetAdjustable()))`;
  const worker = new Worker(code, { eval: true });
  const [adjustable] = (await once(worker, 'message')) as [boolean];
  await worker.terminate();
  t.false(adjustable);
  t.is(tieringBudgetAdjustable(), ['20', '22', '24'].includes(process.versions.node.split('.')[0]) && !(process.env.NODE_OPTIONS ?? '').includes('wasm-tiering-budget'));
});
