import test from 'ava';
import { from, lastValueFrom, map, take, tap, toArray } from 'rxjs';
import { forwardPass } from '../../src/operators/forward-pass.js';
import { forwardPassInWorkers } from '../../src/operators/forward-pass-workers.js';
import { availableParallelism } from 'node:os';
import { CONVNET_WORKERS_FROM_IMAGES, defaultWorkers, MLP_BUSY_CORES, planForward, WORKERS_FROM_IMAGES } from '../../src/operators/forward-plan.js';
import { inferMlp } from '../../src/model/infer-mlp.js';
import type { WeightArrays } from '../../src/weights/nd-array.js';
import type { Batch } from '../../src/types.js';

const SIZE = 16;

/** A 16-4-3 sigmoid MLP with fixed weights. */
const network = inferMlp(
  new Map([
    ['W1', { shape: [SIZE, 4], dtype: 'float32', data: Float32Array.from({ length: SIZE * 4 }, (_, i) => Math.sin(i)) }],
    ['b1', { shape: [4], dtype: 'float32', data: Float32Array.from([0.1, -0.2, 0.3, 0]) }],
    ['W2', { shape: [4, 3], dtype: 'float32', data: Float32Array.from({ length: 12 }, (_, i) => Math.cos(i * 1.7)) }],
    ['b2', { shape: [3], dtype: 'float32', data: Float32Array.from([0, 0.5, -0.5]) }],
  ]) as WeightArrays,
  'fixed.pkl',
  { inputSize: SIZE },
);

/** `n` batches of `count` images; the last one shorter when `lastCount` says so. */
function batches(n: number, count: number, lastCount = count): Batch[] {
  return Array.from({ length: n }, (_, b) => {
    const c = b === n - 1 ? lastCount : count;
    const pixels = Uint8Array.from({ length: c * SIZE }, (_, i) => ((b * 31 + i * 7) % 5 === 0 ? (b * 13 + i * 11) % 256 : 0));
    return { start: b * count, count: c, size: SIZE, pixels, labels: new Uint8Array(c) };
  });
}

const copyPredictions = map((b: { start: number; predicted: Int32Array; confidence: Float32Array }) => ({
  start: b.start,
  predicted: [...b.predicted],
  confidence: [...b.confidence],
}));

test('workers give what the main thread gives, batch for batch, in dataset order', async (t) => {
  const input = batches(40, 8, 5);
  const expected = await lastValueFrom(from(input).pipe(forwardPass(network, planForward(network, { batchSize: 8, kernel: 'wasm-simd-f32' })), copyPredictions, toArray()));
  for (const workers of [1, 2, 3]) {
    for (const coverStartUp of [false, true]) {
      const got = await lastValueFrom(from(input).pipe(forwardPassInWorkers(network, { batchSize: 8, normalize: true, workers: workers, kernel: 'wasm-simd-f32', shareWithMain: false }, { coverStartUp }), copyPredictions, toArray()));
      t.deepEqual(got, expected, `${workers} workers${coverStartUp ? ', the main thread covering their start-up' : ''}`);
    }
  }
});

test('at most maxInFlight batches are out at once, however fast the source', async (t) => {
  let pulled = 0;
  let emitted = 0;
  let most = 0;
  const maxInFlight = 3;
  await lastValueFrom(
    from(batches(60, 4)).pipe(
      tap(() => {
        pulled++;
        most = Math.max(most, pulled - emitted);
      }),
      forwardPassInWorkers(network, { batchSize: 4, normalize: true, workers: 2, kernel: 'js-f64', shareWithMain: false }, { maxInFlight, coverStartUp: false }),
      tap(() => emitted++),
      toArray(),
    ),
  );
  t.is(emitted, 60);
  // The batch being handed in counts too: `pulled - emitted` sees it before it is dispatched.
  t.true(most <= maxInFlight + 1, `at most ${most - 1} out at once`);
});

test('forwardMs of a worker run is the busy time of the workers, no more than the wall time', async (t) => {
  const started = performance.now();
  const total = await lastValueFrom(
    from(batches(30, 8)).pipe(
      forwardPassInWorkers(network, { batchSize: 8, normalize: true, workers: 2, kernel: 'wasm-simd-f32', shareWithMain: false }, { coverStartUp: false }),
      map((b) => b.forwardMs),
      toArray(),
      map((ms) => ms.reduce((a, b) => a + b, 0)),
    ),
  );
  t.true(total > 0);
  t.true(total <= performance.now() - started);
});

test('a batch too large for the slots, or a worker that cannot start, ends the stream with an error', async (t) => {
  await t.throwsAsync(
    lastValueFrom(from(batches(3, 8)).pipe(forwardPassInWorkers(network, { batchSize: 4, normalize: true, workers: 1, kernel: 'wasm-simd-f32', shareWithMain: false }, { coverStartUp: false }))),
    { instanceOf: RangeError, message: "forward pass: a batch of 8 images is larger than the plan's batch size 4; give the source the same batch size" },
  );
  const float64 = { ...network, precision: 'float64' as const };
  await t.throwsAsync(
    lastValueFrom(from(batches(3, 4)).pipe(forwardPassInWorkers(float64, { batchSize: 4, normalize: true, workers: 1, kernel: 'wasm-simd-f32', shareWithMain: false }, { coverStartUp: false }))),
    { message: 'forward worker could not start: the wasm kernel cannot run this network: it computes in float32, the network is float64' },
  );
});

test('unsubscribing early ends the run and its workers', async (t) => {
  const got = await lastValueFrom(
    from(batches(50, 8)).pipe(forwardPassInWorkers(network, { batchSize: 8, normalize: true, workers: 2, kernel: 'js-f64', shareWithMain: false }), take(3), copyPredictions, toArray()),
  );
  t.deepEqual(got.map((b) => b.start), [0, 8, 16]);
});

test('the default runs small inputs on the main thread, and larger ones on a worker beside it where a core is free: an MLP keeps two busy (the main thread and the inflating thread), a convnet one', (t) => {
  t.is(defaultWorkers(WORKERS_FROM_IMAGES - 1), 0);
  t.is(defaultWorkers(10_000), 0);
  t.is(defaultWorkers(60_000), availableParallelism() > MLP_BUSY_CORES ? 1 : 0);
  t.deepEqual([1, 2, 3, 8].map((cores) => defaultWorkers(60_000, false, cores)), [0, 0, 1, 1]);
  t.deepEqual([1, 2, 3].map((cores) => defaultWorkers(CONVNET_WORKERS_FROM_IMAGES, true, cores)), [0, 1, 1]);
  t.is(defaultWorkers(CONVNET_WORKERS_FROM_IMAGES - 1, true, 8), 0);
  t.is(defaultWorkers(WORKERS_FROM_IMAGES - 1, false, 8), 0);
});

test('sharing with the main thread keeps dataset order and the predictions of the main thread alone', async (t) => {
  const input = batches(60, 8, 3);
  const expected = await lastValueFrom(from(input).pipe(forwardPass(network, planForward(network, { batchSize: 8, kernel: 'wasm-simd-f32' })), copyPredictions, toArray()));
  for (const workers of [1, 2]) {
    const got = await lastValueFrom(
      from(input).pipe(forwardPassInWorkers(network, { batchSize: 8, normalize: true, workers: workers, kernel: 'wasm-simd-f32', shareWithMain: true }, { coverStartUp: false }), copyPredictions, toArray()),
    );
    t.deepEqual(got, expected, `${workers} workers and the main thread`);
  }
});
