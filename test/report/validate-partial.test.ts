/**
 * validatePartialReport on hand-made reports (the CLI cases are in test/e2e/merge-hostile.test.ts),
 * and readPartialReport's size cap on what is not a regular file.
 */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPartialReport } from '../../pipelines/merge-reports.js';
import { InputError } from '../../src/errors.js';
import { fieldName } from '../../src/report/partial-schema.js';
import { validatePartialReport } from '../../src/report/validate-partial.js';

const PIXELS = Buffer.alloc(4).toString('base64');

/**
 * Shard 0 of 1 over records 0..9 of 2 classes, 2x2 images: 7 right, errors at 2 (0→1), 5 (1→0)
 * and 8 (0→1), with `confidences`; its first `cap` errors in `order` as tiles.
 */
function report({ confidences = [0.6, 0.9, 0.7] as (number | null)[], cap = 3, order = 'index' as 'index' | 'confidence', tileIndices = undefined as number[] | undefined } = {}) {
  const errors = [[2, 0, 1], [5, 1, 0], [8, 0, 1]].map(([index, label, predicted], i) => ({ index, label, predicted, confidence: confidences[i] }));
  const rank = order === 'index' ? errors : [...errors].sort((a, b) => (b.confidence ?? -1) - (a.confidence ?? -1) || a.index - b.index);
  const chosen = tileIndices === undefined ? rank.slice(0, cap) : tileIndices.map((index) => errors.find((e) => e.index === index)!);
  return {
    accuracy: 0.7, correct: 7, total: 10, misclassified: 3, confusion: [[4, 2], [1, 3]], perClass: [], normalize: true, batchSize: 100,
    inputs: { images: 'i', labels: 'l', weights: 'w', weightsSha256: 's' },
    model: { name: 'm', source: 'inferred', layers: ['affine 4→2 (W1, b1)', 'softmax'], parameters: 10, precision: 'float32', inputShape: [4], output: 'probabilities', preprocess: ['x / 255'], weights: { path: 'w', sha256: 's', format: 'pickle', metadata: {} } },
    mosaic: {}, predictions: null, timing: { totalMs: 1, forwardMs: 1 }, forward: { kernel: 'js-f64', workers: 0, threads: 1, alsoMainThread: false },
    resources: { peakRssMb: 1 }, range: { start: 0, end: 10, size: 10 }, errors,
    shard: { index: 0, count: 1, start: 0, end: 10, rows: 2, cols: 2, mosaicCap: cap, mosaicOrder: order, mosaicScale: 2, tiles: chosen.map((e) => ({ ...e, pixels: PIXELS })) },
  };
}

const refuses = (t: import('ava').ExecutionContext, value: unknown, problem: string) =>
  t.throws(() => validatePartialReport(value, 'p.json'), { instanceOf: InputError, message: `p.json: ${problem}` });

test('a consistent report passes, in index and in confidence order', (t) => {
  t.is(validatePartialReport(report(), 'p.json').total, 10);
  t.is(validatePartialReport(report({ cap: 2, order: 'confidence' }), 'p.json').shard.tiles[0].index, 5);
});

test('a null confidence (a NaN the network gave) reads as NaN, in the errors and the tiles', (t) => {
  const valid = validatePartialReport(report({ confidences: [0.6, null, 0.7] }), 'p.json');
  t.true(Number.isNaN(valid.errors[1].confidence));
  t.true(Number.isNaN(valid.shard.tiles[1].confidence));
});

test('in confidence order, the tiles must be the most confident errors', (t) => {
  refuses(t, report({ cap: 2, order: 'confidence', tileIndices: [5, 2] }), "shard.tiles leaves out image 8, which comes before image 2 in the mosaic's confidence order");
  refuses(t, report({ cap: 2, order: 'confidence', tileIndices: [8, 5] }), "shard.tiles[1] (image 5) is out of the mosaic's confidence order");
});

test('a missing field, a field of another type and a value out of bounds each name the field', (t) => {
  const { shard, ...noShard } = report();
  void shard;
  refuses(t, noShard, 'not a partial report (no "shard"): run each shard with --shard K/N');
  refuses(t, { ...report(), forward: { kernel: 'js-f64', workers: 0, threads: 1 } }, 'forward.alsoMainThread is missing, expected true or false');
  refuses(t, { ...report(), inputs: { ...report().inputs, images: 7 } }, 'inputs.images is 7, expected a string');
  refuses(t, { ...report(), errors: [...report().errors.slice(0, 2), { ...report().errors[2], label: 'zero' }] }, 'errors[2].label is the string "zero", expected a number');
});

test('a value nested 100,000 arrays deep where a number belongs is one line, not a stack overflow', (t) => {
  const deep = JSON.parse(`${'['.repeat(100_000)}1${']'.repeat(100_000)}`);
  refuses(t, { ...report(), timing: { totalMs: 1, forwardMs: deep } }, 'timing.forwardMs is an array of 1, expected a number');
});

test('fieldName writes paths as a reader of the JSON would', (t) => {
  t.is(fieldName(['shard', 'tiles', 3, 'pixels']), 'shard.tiles[3].pixels');
  t.is(fieldName(['confusion', 0, 4]), 'confusion[0][4]');
  t.is(fieldName([]), 'the report');
});

test('readPartialReport reads what is not a regular file through the cap: /dev/zero stops at the limit', async (t) => {
  await t.throwsAsync(readPartialReport('/dev/zero', 2 ** 20), { instanceOf: InputError, message: '/dev/zero: more than the limit of 1048576 bytes for a partial report (split the run into more shards)' });
});

test('readPartialReport: a regular file over the limit is refused by its size; one under it is parsed and validated', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-partial-'));
  const file = join(dir, 'p.json');
  await writeFile(file, JSON.stringify(report()));
  t.is((await readPartialReport(file)).report.correct, 7);
  const size = Buffer.byteLength(JSON.stringify(report()));
  await t.throwsAsync(readPartialReport(file, size - 1), { message: `${file}: ${size} bytes, more than the limit of ${size - 1} bytes for a partial report (split the run into more shards)` });
});

test('class names: passed on when they are one for each class and as a run writes them', (t) => {
  t.deepEqual(validatePartialReport({ ...report(), classes: ['cat', 'dog'] }, 'p.json').classes, ['cat', 'dog']);
  refuses(t, { ...report(), classes: ['cat'] }, 'classes names 1 classes, expected 2 (one for each row of confusion)');
  refuses(t, { ...report(), classes: ['cat', 'cat'] }, "classes: classes 0 and 1 have the same name 'cat', expected a different name for each class");
  refuses(t, { ...report(), classes: ['cat', 'dog\u001b[2J'] }, 'classes[1] is not one line of text without control characters or surrounding spaces');
  refuses(t, { ...report(), classes: ['cat', ''] }, 'classes: class 1 has an empty name');
  refuses(t, { ...report(), classes: ['cat', 7] }, 'classes[1] is 7, expected a string');
  refuses(t, { ...report(), classes: 'cat,dog' }, 'classes is the string "cat,dog", expected an array');
  refuses(t, { ...report(), classes: ['cat', 'x'.repeat(300)] }, `classes[1] is the string "${'x'.repeat(40)}…", expected at most 256 characters`);
});

/** report() with its cells' tiles: errors 2 (0→1), 5 (1→0), 8 (0→1); cell 0→1 keeps `cap` of its two. */
function withCells(cap: number, indices?: number[]) {
  const base = report();
  const kept = indices ?? (cap >= 2 ? [2, 5, 8] : [2, 5]);
  const cellTiles = kept.map((index) => ({ ...base.errors.find((e) => e.index === index)!, pixels: PIXELS }));
  return { ...base, shard: { ...base.shard, htmlCap: cap, cellTiles } };
}

test('the cells\' tiles: of each cell its first htmlCap errors in dataset order, each as in the errors, with its pixels', (t) => {
  t.is(validatePartialReport(withCells(2), 'p.json').shard.cellTiles?.length, 3);
  t.is(validatePartialReport(withCells(1), 'p.json').shard.cellTiles?.length, 2, 'cell 0→1 keeps image 2 only');
  refuses(t, withCells(1, [2, 5, 8]), 'shard.cellTiles holds 3 tiles, expected 2 (the first shard.htmlCap 1 errors of each cell)');
  refuses(t, withCells(2, [2, 5]), 'shard.cellTiles ends at 2 tiles, expected image 8 next (the first shard.htmlCap 2 errors of each cell)');
  refuses(t, withCells(1, [5, 2]), 'shard.cellTiles[0] is image 5, expected image 2 (the first shard.htmlCap 1 errors of each cell, in dataset order)');
  refuses(t, withCells(1, [8, 5]), 'shard.cellTiles[0] is image 8, expected image 2 (the first shard.htmlCap 1 errors of each cell, in dataset order)');
  const changed = withCells(2);
  (changed.shard.cellTiles[1] as { predicted: number }).predicted = 1;
  refuses(t, changed, 'shard.cellTiles[1] (image 5) differs from its entry in errors (label, predicted or confidence)');
  const short = withCells(2);
  (short.shard.cellTiles[2] as { pixels: string }).pixels = 'AAA=';
  refuses(t, short, 'shard.cellTiles[2].pixels is not the base64 of 4 bytes (2x2): 4 characters, expected 8');
  const alone = withCells(2);
  refuses(t, { ...alone, shard: { ...alone.shard, htmlCap: undefined } }, 'shard.cellTiles and shard.htmlCap come together, expected both or neither');
  refuses(t, { ...alone, shard: { ...alone.shard, htmlCap: 0 } }, 'shard.htmlCap is 0, expected at least 1');
  refuses(t, { ...alone, shard: { ...alone.shard, htmlCap: 10_001 } }, 'shard.htmlCap is 10001, expected at most 10000');
});
