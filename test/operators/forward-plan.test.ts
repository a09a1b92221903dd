import test from 'ava';
import { availableParallelism } from 'node:os';
import { inferMlp } from '../../src/model/infer-mlp.js';
import { MAX_BATCH_SIZE, MLP_BUSY_CORES, planForward, threadsWanted, WORKERS_FROM_IMAGES } from '../../src/operators/forward-plan.js';
import type { WeightArrays } from '../../src/weights/nd-array.js';

const mlp = (dtype: 'float32' | 'float64') => {
  const Floats = dtype === 'float32' ? Float32Array : Float64Array;
  return inferMlp(
    new Map([
      ['W1', { shape: [4, 3], dtype, data: new Floats(Array.from({ length: 12 }, (_, i) => i / 12)) }],
      ['b1', { shape: [3], dtype, data: new Floats(3) }],
    ]) as WeightArrays,
    'tiny.pkl',
    { inputSize: 4 },
  );
};
const f32 = mlp('float32');
const f64 = mlp('float64');
const cores = availableParallelism();

test('the defaults: batches of 100, normalised, wasm for float32 and js for float64, the main thread alone', (t) => {
  // Every Node the project runs on compiles relaxed SIMD (20 once its V8 flag is set): src/wasm/module.ts.
  t.deepEqual(planForward(f32), { batchSize: 100, normalize: true, kernel: 'wasm-relaxed-simd-f32', workers: 0, threads: 1, shareWithMain: false });
  t.like(planForward(f32, { kernel: 'wasm-simd-f32', threads: 2 }), { kernel: 'wasm-simd-f32', threads: 2 });
  t.is(planForward(f64).kernel, 'js-f64');
  t.is(planForward(f32, { kernel: 'js' }).kernel, 'js-f64');
});

test('workers by input size: one beside the main thread from 20,000 images where a core is free, the main thread sharing', (t) => {
  t.like(planForward(f32, {}, WORKERS_FROM_IMAGES - 1), { workers: 0, shareWithMain: false });
  t.like(planForward(f32, {}, WORKERS_FROM_IMAGES), cores > MLP_BUSY_CORES ? { workers: 1, shareWithMain: true } : { workers: 0, shareWithMain: false });
  // Asked for, workers do not share; threads asked for keep the run on the main thread.
  t.like(planForward(f32, { workers: 2 }, 60_000), { workers: 2, shareWithMain: false });
  t.like(planForward(f32, { threads: 2 }, 60_000), { workers: 0, threads: 2 });
});

test('threadsWanted agrees with the plan, so threads started ahead are the ones the plan takes', (t) => {
  for (const request of [{}, { workers: 0 }, { workers: 3 }, { threads: 2 }]) {
    for (const images of [10, 10_000, 60_000]) {
      const plan = planForward(f32, request, images);
      t.deepEqual(threadsWanted(request, images), { workers: plan.workers, threads: plan.threads });
    }
  }
});

test('values no run can use are RangeErrors or TypeErrors that name the option', (t) => {
  t.throws(() => planForward(f32, { batchSize: 0 }), { instanceOf: RangeError, message: `batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got 0` });
  t.throws(() => planForward(f32, { batchSize: MAX_BATCH_SIZE + 1 }), { instanceOf: RangeError });
  t.throws(() => planForward(f32, { batchSize: 2.5 }), { instanceOf: RangeError });
  t.throws(() => planForward(f32, { batchSize: '100' as unknown as number }), { instanceOf: TypeError, message: 'batch size must be a number, got string' });
  t.throws(() => planForward(f32, { workers: -1 }), { instanceOf: RangeError, message: 'workers must be a whole number from 0 to 64, got -1' });
  t.throws(() => planForward(f32, { threads: 0 }), { instanceOf: RangeError });
  t.throws(() => planForward(f32, { kernel: 'gpu' as 'auto' }), { instanceOf: TypeError, message: "kernel must be auto, wasm or js, got 'gpu'" });
});

test('options that cannot work together are refused, not dropped', (t) => {
  t.throws(() => planForward(f64, { kernel: 'wasm' }), { instanceOf: RangeError, message: 'the wasm kernel cannot run this network: it computes in float32, the network is float64' });
  t.throws(() => planForward(f32, { threads: 2, workers: 1 }), {
    instanceOf: RangeError,
    message: "threads (2) split the main thread's batches, but the forward pass runs on 1 worker: give threads or workers, not both",
  });
  t.throws(() => planForward(f64, { threads: 2 }), { instanceOf: RangeError, message: "threads (2) split the wasm kernel's batches, but this network runs on the js-f64 kernel, which uses one thread" });
});
