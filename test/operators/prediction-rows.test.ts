/** predictionRows (src/operators/prediction-rows.ts): the CSV text of each predicted batch. */
import test from 'ava';
import { from, lastValueFrom, toArray } from 'rxjs';
import { PREDICTIONS_HEADER, predictionRows } from '../../src/operators/prediction-rows.js';
import type { PredictedBatch } from '../../src/types.js';

function predicted(start: number, t: number[], p: number[], confidence: number[]): PredictedBatch {
  return { start, count: t.length, size: 1, pixels: new Uint8Array(t.length), labels: Uint8Array.from(t), predicted: Int32Array.from(p), confidence: Float32Array.from(confidence), forwardMs: 0 };
}

test('the header names the four columns', (t) => {
  t.is(PREDICTIONS_HEADER, 'index,label,predicted,confidence\n');
});

test('one line per image, index from the batch start, confidence to 6 decimals of its float32 value', async (t) => {
  const rows = await lastValueFrom(
    from([predicted(0, [7, 2], [7, 1], [0.777_777_5, 0.5]), predicted(2, [1], [1], [1 / 3])]).pipe(predictionRows(), toArray()),
  );
  t.deepEqual(rows, [
    '0,7,7,0.777777\n1,2,1,0.500000\n', // 0.7777775 as float32 is 0.77777749…
    '2,1,1,0.333333\n',
  ]);
});

test('confidences at the ends: 0 and 1, and a float32 that rounds up at the 6th decimal', async (t) => {
  const [rows] = await lastValueFrom(from([predicted(9998, [0, 3, 5], [0, 3, 4], [0, 1, 0.000_000_6])]).pipe(predictionRows(), toArray()));
  t.is(rows, '9998,0,0,0.000000\n9999,3,3,1.000000\n10000,5,4,0.000001\n');
});

test('the same pipeline subscribed twice gives the same text', async (t) => {
  const rows$ = from([predicted(0, [1, 2], [1, 0], [0.25, 0.75])]).pipe(predictionRows(), toArray());
  t.deepEqual(await lastValueFrom(rows$), await lastValueFrom(rows$));
});
