/** misclassified (src/operators/misclassified.ts): the wrong predictions of each batch, with views of their pixels. */
import test from 'ava';
import { from, lastValueFrom, toArray } from 'rxjs';
import { misclassified, misclassifiedIn } from '../../src/operators/misclassified.js';
import type { PredictedBatch } from '../../src/types.js';

/** A batch of `t.length` images of 2 pixels each, image i's pixels [start + i, 100 + start + i]. */
function predicted(start: number, t: number[], p: number[], confidence: number[]): PredictedBatch {
  const pixels = Uint8Array.from(t.flatMap((_, i) => [start + i, 100 + start + i]));
  return { start, count: t.length, size: 2, pixels, labels: Uint8Array.from(t), predicted: Int32Array.from(p), confidence: Float32Array.from(confidence), forwardMs: 0 };
}

const BATCHES = [
  predicted(0, [3, 1, 4, 1], [3, 7, 4, 2], [0.5, 0.75, 0.25, 0.125]),
  predicted(4, [5, 9], [5, 9], [1, 1]),
  predicted(6, [2, 6], [6, 2], [0.5, 0.0625]),
];

const plain = ({ index, label, predicted, confidence, pixels }: { index: number; label: number; predicted: number; confidence: number; pixels: Uint8Array }) =>
  ({ index, label, predicted, confidence, pixels: [...pixels] });

test('exactly the wrong ones, in dataset order, with their index, label, prediction and confidence', async (t) => {
  const wrong = await lastValueFrom(from(BATCHES).pipe(misclassified(), toArray()));
  t.deepEqual(wrong.map(plain), [
    { index: 1, label: 1, predicted: 7, confidence: 0.75, pixels: [1, 101] },
    { index: 3, label: 1, predicted: 2, confidence: 0.125, pixels: [3, 103] },
    { index: 6, label: 2, predicted: 6, confidence: 0.5, pixels: [6, 106] },
    { index: 7, label: 6, predicted: 2, confidence: 0.0625, pixels: [7, 107] },
  ]);
});

test('the pixels are a view of the image in the batch, not a copy', (t) => {
  const batch = BATCHES[0];
  const [first, second] = misclassifiedIn(batch);
  t.is(first.pixels.buffer, batch.pixels.buffer);
  t.deepEqual([first.pixels.byteOffset, first.pixels.length], [batch.pixels.byteOffset + 1 * batch.size, batch.size]);
  t.deepEqual([second.pixels.byteOffset, second.pixels.length], [batch.pixels.byteOffset + 3 * batch.size, batch.size]);
});

test('a batch with no mistakes gives nothing', (t) => {
  t.deepEqual(misclassifiedIn(BATCHES[1]), []);
});

test('the same pipeline subscribed twice gives the same errors', async (t) => {
  const wrong$ = from(BATCHES).pipe(misclassified(), toArray());
  const first = (await lastValueFrom(wrong$)).map(plain);
  t.deepEqual((await lastValueFrom(wrong$)).map(plain), first);
  t.is(first.length, 4);
});
