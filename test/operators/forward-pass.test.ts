/**
 * forwardPass (src/operators/forward-pass.ts) on this thread, over the tiny hand-made network of
 * test/helpers/tiny-network.ts: each batch keeps its images and gains the network's answer,
 * which is the obvious math's, for either kernel.
 */
import test from 'ava';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import type { KernelName } from '../../src/kernels/kernel.js';
import { forwardPass } from '../../src/operators/forward-pass.js';
import type { PredictedBatch } from '../../src/types.js';
import { argmax, LABELS, obviousOutput, PIXELS, PREDICTED, tinyBatches, tinyNetwork } from '../helpers/tiny-network.js';

const network = tinyNetwork();
const KERNELS: readonly KernelName[] = ['js-f64', 'wasm-simd-f32', 'wasm-relaxed-simd-f32'];
const plan = (kernel: KernelName, batchSize = 3, normalize = true) => ({ batchSize, normalize, kernel, threads: 1 });

/** What a batch says, copied: its predictions are views into buffers the next batch reuses. */
const copy = map((b: PredictedBatch) => ({
  start: b.start,
  count: b.count,
  size: b.size,
  pixels: [...b.pixels],
  labels: [...b.labels],
  predicted: [...b.predicted],
  confidence: [...b.confidence],
}));

test('the fixture: the obvious math predicts 0 1 2 1 0 1 1, each by a clear margin', (t) => {
  for (const [i, pixels] of PIXELS.entries()) {
    const y = obviousOutput(pixels);
    const [top, next] = [...y].sort((a, b) => b - a);
    t.is(argmax(y), PREDICTED[i], `image ${i}`);
    t.true(top - next > 0.01, `image ${i}: margin ${top - next}`);
  }
});

for (const kernel of KERNELS) {
  test(`${kernel}: the predictions and confidences of the obvious math, batch by batch, the last one smaller`, async (t) => {
    const batches = await lastValueFrom(from(tinyBatches(3)).pipe(forwardPass(network, plan(kernel)), copy, toArray()));
    t.deepEqual(batches.map((b) => [b.start, b.count, b.size]), [[0, 3, 4], [3, 3, 4], [6, 1, 4]]);
    t.deepEqual(batches.flatMap((b) => b.predicted), [...PREDICTED]);
    const confidence = batches.flatMap((b) => b.confidence);
    PIXELS.forEach((pixels, i) => {
      const expected = Math.max(...obviousOutput(pixels));
      t.true(Math.abs(confidence[i] - expected) < 1e-6, `image ${i}: ${confidence[i]} against ${expected}`);
    });
  });

  test(`${kernel}: a batch keeps its images and labels as they came`, async (t) => {
    const batches = await lastValueFrom(from(tinyBatches(4)).pipe(forwardPass(network, plan(kernel, 4)), copy, toArray()));
    t.deepEqual(batches.flatMap((b) => b.pixels), PIXELS.flat());
    t.deepEqual(batches.flatMap((b) => b.labels), [...LABELS]);
  });

  test(`${kernel}: without normalize the pixels go in as 0..255`, async (t) => {
    const batches = await lastValueFrom(from(tinyBatches(7)).pipe(forwardPass(network, plan(kernel, 7, false)), copy, toArray()));
    t.deepEqual(batches[0].predicted, PIXELS.map((pixels) => argmax(obviousOutput(pixels, false))));
  });

  test(`${kernel}: the same pipeline subscribed twice gives the same predictions (a kernel per subscription)`, async (t) => {
    const predicted$ = from(tinyBatches(2)).pipe(forwardPass(network, plan(kernel, 2)), copy, toArray());
    const first = await lastValueFrom(predicted$);
    t.deepEqual(await lastValueFrom(predicted$), first);
    t.deepEqual(first.flatMap((b) => b.predicted), [...PREDICTED]);
  });
}

test('a batch larger than the plan\'s batch size is a RangeError, not a wrong answer', async (t) => {
  await t.throwsAsync(lastValueFrom(from(tinyBatches(7)).pipe(forwardPass(network, plan('js-f64', 3)))), { instanceOf: RangeError, message: /batch size/ });
});
