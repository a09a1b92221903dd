/**
 * evaluation$ (pipelines/evaluate.ts) over a small in-memory source, `from([...samples])`: the
 * exact result of the tiny hand-made network, every branch fed by one synchronous source, and the
 * same result each time the pipeline is subscribed. On the real test set: test/e2e/evaluate.test.ts.
 */
import test from 'ava';
import { from, lastValueFrom } from 'rxjs';
import { evaluation$, type EvaluationResult } from '../../pipelines/evaluate.js';
import { CLASSES, LABELS, PIXELS, PREDICTED, tinyNetwork, tinySamples } from '../helpers/tiny-network.js';

const network = tinyNetwork();

/** The result as plain data (tiles copied out of their batches, the error list as entries). */
const plain = ({ evaluation, tiles, misclassified, errors }: EvaluationResult) => ({
  evaluation: { total: evaluation.total, correct: evaluation.correct, confusion: evaluation.confusion },
  tiles: tiles.map(({ index, label, predicted, pixels }) => ({ index, label, predicted, pixels: [...pixels] })),
  misclassified,
  errors: errors.entries().map(({ index, label, predicted }) => ({ index, label, predicted })),
});

function run(options: { batchSize: number; mosaicCap?: number; rows?: string[] }) {
  return evaluation$(from(tinySamples()), network, {
    batchSize: options.batchSize,
    normalize: true,
    kernel: 'js',
    workers: 0,
    mosaicCap: options.mosaicCap ?? 10,
    onPredictionRows: options.rows && ((rows) => void options.rows!.push(rows)),
  });
}

const WRONG = [3, 4, 6].map((index) => ({ index, label: LABELS[index], predicted: PREDICTED[index] }));

test('the exact counts, errors and tiles of the tiny network over seven samples', async (t) => {
  const result = plain(await lastValueFrom(run({ batchSize: 3 })));
  const confusion = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
  LABELS.forEach((label, i) => confusion[label][PREDICTED[i]]++);
  t.deepEqual(result.evaluation, { total: 7, correct: 4, confusion });
  t.is(result.misclassified, 3);
  t.deepEqual(result.errors, WRONG);
  t.deepEqual(result.tiles, WRONG.map((wrong) => ({ ...wrong, pixels: [...PIXELS[wrong.index]] })));
});

test('the mosaic keeps the first mosaicCap errors; the error list keeps them all', async (t) => {
  const result = plain(await lastValueFrom(run({ batchSize: 2, mosaicCap: 2 })));
  t.deepEqual(result.tiles.map((tile) => tile.index), [3, 4]);
  t.is(result.misclassified, 3);
  t.deepEqual(result.errors, WRONG);
});

test('the prediction rows of every batch, in dataset order', async (t) => {
  const rows: string[] = [];
  await lastValueFrom(run({ batchSize: 3, rows }));
  t.is(rows.length, 3);
  t.deepEqual(rows.join('').trimEnd().split('\n').map((row) => row.split(',').slice(0, 3).map(Number)), LABELS.map((label, i) => [i, label, PREDICTED[i]]));
});

test('the batch size changes nothing in the result', async (t) => {
  const expected = plain(await lastValueFrom(run({ batchSize: 7 })));
  for (const batchSize of [1, 2, 3, 100]) t.deepEqual(plain(await lastValueFrom(run({ batchSize }))), expected, `batch size ${batchSize}`);
});

test('the same pipeline subscribed twice gives the same result (its counts, tiles and rows are made per subscription)', async (t) => {
  const rows: string[] = [];
  const evaluated$ = run({ batchSize: 3, rows });
  const first = plain(await lastValueFrom(evaluated$));
  const firstRows = rows.splice(0);
  const second = plain(await lastValueFrom(evaluated$));
  t.deepEqual(second, first);
  t.deepEqual(rows, firstRows);
  t.is(second.evaluation.total, 7, 'not 14: nothing carried over from the first run');
});
