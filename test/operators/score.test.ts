/** score (src/operators/score.ts): predicted batches reduced to totals and a confusion matrix. */
import test from 'ava';
import { EMPTY, from, lastValueFrom } from 'rxjs';
import { emptyEvaluation, score } from '../../src/operators/score.js';
import type { PredictedBatch } from '../../src/types.js';

/** A predicted batch from its labels t and predictions p; pixels are not looked at. */
function predicted(start: number, t: number[], p: number[], forwardMs = 0): PredictedBatch {
  return {
    start,
    count: t.length,
    size: 1,
    pixels: new Uint8Array(t.length),
    labels: Uint8Array.from(t),
    predicted: Int32Array.from(p),
    confidence: new Float32Array(t.length).fill(0.5),
    forwardMs,
  };
}

const BATCHES = [
  predicted(0, [0, 1, 2, 2], [0, 1, 1, 2], 1.5),
  predicted(4, [1, 1, 0], [1, 0, 0], 2),
  predicted(7, [2], [0], 0.25),
];

test('the exact counts of hand-made batches: confusion[t][p], total, correct and the summed forward time', async (t) => {
  const evaluation = await lastValueFrom(from(BATCHES).pipe(score(3)));
  t.deepEqual(evaluation, {
    total: 8,
    correct: 5,
    confusion: [
      [2, 0, 0],
      [1, 2, 0],
      [1, 1, 1],
    ],
    forwardMs: 3.75,
  });
});

test('every image is counted once: the confusion sums to the total, its diagonal to the correct', async (t) => {
  const { total, correct, confusion } = await lastValueFrom(from(BATCHES).pipe(score(3)));
  t.is(confusion.flat().reduce((a, b) => a + b, 0), total);
  t.is(confusion.reduce((sum, row, i) => sum + row[i], 0), correct);
});

test('the confusion matrix is classes × classes, whatever the labels seen', async (t) => {
  const { confusion } = await lastValueFrom(from([predicted(0, [1], [1])]).pipe(score(10)));
  t.is(confusion.length, 10);
  t.true(confusion.every((row) => row.length === 10));
  t.is(confusion[1][1], 1);
});

test('no batches: the empty evaluation', async (t) => {
  t.deepEqual(await lastValueFrom(EMPTY.pipe(score(2))), emptyEvaluation(2));
  t.deepEqual(emptyEvaluation(2), { total: 0, correct: 0, confusion: [[0, 0], [0, 0]], forwardMs: 0 });
});

test('the same pipeline subscribed twice gives the same counts (the matrix is made per subscription)', async (t) => {
  const scored$ = from(BATCHES).pipe(score(3));
  const first = await lastValueFrom(scored$);
  const second = await lastValueFrom(scored$);
  t.deepEqual(second, first);
  t.is(second.total, 8);
  t.not(second.confusion, first.confusion, 'not one matrix shared by both runs');
});
