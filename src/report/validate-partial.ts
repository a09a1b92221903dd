/**
 * A shard's partial report read as untrusted input: its shape by the zod schema of
 * partial-schema.ts, then the invariants that tie its numbers together, each failure one
 * InputError naming the file and the field. What passes is a report whose counts add up: the
 * confusion matrix is square and sums to `total`, its diagonal to `correct`; the error list is
 * the matrix's off-diagonal cells, image by image, in increasing order inside the shard's records;
 * the tiles are the first `mosaicCap` errors in the mosaic's order, with `rows × cols` pixels each.
 */
import { InputError } from '../errors.js';
import { mosaicTooLarge } from '../mosaic/mosaic-limits.js';
import { compareTiles } from '../mosaic/tile-collector.js';
import { MAX_RECORD_BYTES } from '../sources/idx.js';
import { issueText, partialReportSchema } from './partial-schema.js';
import { classNamesProblem } from '../datasets/class-names.js';
import type { Prediction, Report, ShardPart } from '../types.js';

/** A report that passed: the fields merge uses, as the file holds them (null confidences read as NaN). */
export type ValidPartialReport = Report & { readonly shard: ShardPart };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `records a..b` for a message. */
const records = (start: number, end: number): string => `records ${start}..${end - 1}`;

/**
 * `value` (parsed JSON of `file`) as a partial report, or an InputError naming the first field
 * that is wrong.
 */
export function validatePartialReport(value: unknown, file: string): ValidPartialReport {
  const fail: Fail = (problem) => {
    throw new InputError(file, problem);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`not an mnist-eval report (${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, expected an object)`);
  if (!('shard' in (value as object))) fail('not a partial report (no "shard"): run each shard with --shard K/N');
  const parsed = partialReportSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) fail(issueText(parsed.error.issues[0]));
  const report = value as ValidPartialReport;
  checkPlace(report, fail);
  checkCounts(report, fail);
  checkClasses(report, fail);
  checkErrors(report, fail);
  checkTiles(report, fail);
  checkCellTiles(report, fail);
  return report;
}

type Fail = (problem: string) => never;

/** The run's range, the shard's place in it, and the image shape. */
function checkPlace({ range, shard, total }: ValidPartialReport, fail: Fail): void {
  if (range.end > range.size) fail(`range.end ${range.end} is past range.size ${range.size}`);
  if (range.start >= range.end) fail(`range ${range.start}..${range.end} holds no records, expected start < end`);
  const n = range.end - range.start;
  if (shard.count > n) fail(`shard.count ${shard.count} is more than the run's ${n} records (each shard holds at least one)`);
  if (shard.index >= shard.count) fail(`shard.index ${shard.index} is outside 0..${shard.count - 1} (shard.count ${shard.count})`);
  // Inside the run's range and not empty; that the shards follow one another is checked when they meet (checkShards).
  if (shard.start < range.start || shard.end > range.end || shard.start >= shard.end) {
    fail(`shard.start..shard.end (${shard.start}..${shard.end}) is not a part of the run's ${records(range.start, range.end)}, expected ${range.start} <= start < end <= ${range.end}`);
  }
  if (total !== shard.end - shard.start) fail(`total is ${total}, expected ${shard.end - shard.start} for ${records(shard.start, shard.end)}`);
  if (shard.rows * shard.cols > MAX_RECORD_BYTES) fail(`shard.rows x shard.cols (${shard.rows}x${shard.cols}) is over the IDX reader's limit of ${MAX_RECORD_BYTES} pixels an image`);
  const tooLarge = mosaicTooLarge(shard.mosaicCap, { rows: shard.rows, cols: shard.cols, scale: shard.mosaicScale ?? 2 });
  if (tooLarge !== undefined) fail(`shard.mosaicCap and shard.mosaicScale: ${tooLarge}`);
}

/** The confusion matrix against total, correct and misclassified. */
function checkCounts({ confusion, total, correct, misclassified }: ValidPartialReport, fail: Fail): void {
  const classes = confusion.length;
  let sum = 0;
  let trace = 0;
  confusion.forEach((row, t) => {
    if (row.length !== classes) fail(`confusion[${t}] has ${row.length} columns, expected ${classes} (a square matrix, a row and a column for each class)`);
    row.forEach((n, p) => {
      sum += n;
      if (p === t) trace += n;
    });
  });
  if (sum !== total) fail(`confusion sums to ${sum} images, but total is ${total}`);
  if (trace !== correct) fail(`confusion's diagonal sums to ${trace} correct images, but correct is ${correct}`);
  if (misclassified !== total - correct) fail(`misclassified is ${misclassified}, but total - correct is ${total - correct}`);
}

/** The class names, if any: one for each class, each as a run writes it. */
function checkClasses({ classes, confusion }: ValidPartialReport, fail: Fail): void {
  if (classes === undefined) return;
  if (classes.length !== confusion.length) fail(`classes names ${classes.length} classes, expected ${confusion.length} (one for each row of confusion)`);
  const problem = classNamesProblem(classes);
  if (problem !== undefined) fail(problem.startsWith('classes[') ? problem : `classes: ${problem}`);
}

/** The error list: the shard's misclassified images, in increasing order, matching the matrix cell by cell. */
function checkErrors(report: ValidPartialReport, fail: Fail): void {
  const { errors, shard, confusion, misclassified } = report;
  const classes = confusion.length;
  if (errors.length !== misclassified) fail(`errors lists ${errors.length} images, but misclassified is ${misclassified}`);
  const cells = new Float64Array(classes * classes);
  let previous = -1;
  errors.forEach(({ index, label, predicted, confidence }, i) => {
    if (index < shard.start || index >= shard.end) fail(`errors[${i}].index ${index} is outside the shard's records ${shard.start}..${shard.end - 1}`);
    if (index <= previous) fail(`errors[${i}].index ${index} comes after errors[${i - 1}].index ${previous}, expected increasing indices`);
    previous = index;
    if (label >= classes) fail(`errors[${i}].label ${label} is outside the classes 0..${classes - 1}`);
    if (predicted >= classes) fail(`errors[${i}].predicted ${predicted} is outside the classes 0..${classes - 1}`);
    if (label === predicted) fail(`errors[${i}] (image ${index}) has label and prediction ${label}, expected a misclassified image`);
    cells[label * classes + predicted] += 1;
    if (confidence === null) (errors[i] as { confidence: number }).confidence = NaN;
  });
  confusion.forEach((row, t) =>
    row.forEach((n, p) => {
      if (t !== p && cells[t * classes + p] !== n) fail(`confusion[${t}][${p}] counts ${n} images, but errors lists ${cells[t * classes + p]} of label ${t} predicted as ${p}`);
    }),
  );
}

/** The tiles: the first min(mosaicCap, misclassified) errors in the mosaic's order, each with its pixels. */
function checkTiles({ errors, shard }: ValidPartialReport, fail: Fail): void {
  const { tiles, mosaicCap, mosaicOrder, rows, cols } = shard;
  const expected = Math.min(mosaicCap, errors.length);
  if (tiles.length !== expected) fail(`shard.tiles holds ${tiles.length} tiles, expected ${expected} (the first shard.mosaicCap ${mosaicCap} of its ${errors.length} errors)`);
  const bytes = rows * cols;
  const characters = 4 * Math.ceil(bytes / 3);
  const compare = compareTiles(mosaicOrder);
  const shownIndices = new Set<number>();
  tiles.forEach((tile, i) => {
    const field = `shard.tiles[${i}]`;
    const error = findError(errors, tile.index);
    if (error === undefined) fail(`${field} (image ${tile.index}) is not among the errors`);
    if (tile.confidence === null) (tile as { confidence: number }).confidence = NaN;
    const same = error.label === tile.label && error.predicted === tile.predicted && Object.is(error.confidence, tile.confidence);
    if (!same) fail(`${field} (image ${tile.index}) differs from its entry in errors (label, predicted or confidence)`);
    if (shownIndices.has(tile.index)) fail(`${field} repeats image ${tile.index}`);
    shownIndices.add(tile.index);
    if (i > 0 && compare(tiles[i - 1], tile) >= 0) fail(`${field} (image ${tile.index}) is out of the mosaic's ${mosaicOrder} order`);
    if (tile.pixels.length !== characters || !BASE64.test(tile.pixels)) {
      fail(`${field}.pixels is not the base64 of ${bytes} bytes (${rows}x${cols}): ${tile.pixels.length} characters, expected ${characters}`);
    }
  });
  // The tiles are the first in the mosaic's order: no error left out comes before the last one.
  const last = tiles.at(-1);
  if (last === undefined || tiles.length === errors.length) return;
  const before = errors.find((error) => !shownIndices.has(error.index) && compare(error, last) < 0);
  if (before !== undefined) fail(`shard.tiles leaves out image ${before.index}, which comes before image ${last.index} in the mosaic's ${mosaicOrder} order`);
}

/**
 * The cells' tiles, when there are any: of each confusion cell, its first `htmlCap` errors in
 * dataset order, each as in the error list, with its pixels. Worked out from the error list and
 * compared tile by tile, so nothing is left out, added or reordered.
 */
function checkCellTiles({ errors, shard, confusion }: ValidPartialReport, fail: Fail): void {
  const { cellTiles, htmlCap, rows, cols } = shard;
  if (cellTiles === undefined && htmlCap === undefined) return;
  if (cellTiles === undefined || htmlCap === undefined) fail('shard.cellTiles and shard.htmlCap come together, expected both or neither');
  const classes = confusion.length;
  const kept = new Float64Array(classes * classes);
  const characters = 4 * Math.ceil((rows * cols) / 3);
  let i = 0;
  for (const error of errors) {
    const cell = error.label * classes + error.predicted;
    if (kept[cell] >= htmlCap) continue;
    kept[cell] += 1;
    const tile = cellTiles[i];
    const field = `shard.cellTiles[${i}]`;
    if (tile === undefined) fail(`shard.cellTiles ends at ${i} tiles, expected image ${error.index} next (the first shard.htmlCap ${htmlCap} errors of each cell)`);
    if (tile.index !== error.index) fail(`${field} is image ${tile.index}, expected image ${error.index} (the first shard.htmlCap ${htmlCap} errors of each cell, in dataset order)`);
    if (tile.confidence === null) (tile as { confidence: number }).confidence = NaN;
    if (tile.label !== error.label || tile.predicted !== error.predicted || !Object.is(tile.confidence, error.confidence)) fail(`${field} (image ${tile.index}) differs from its entry in errors (label, predicted or confidence)`);
    if (tile.pixels.length !== characters || !BASE64.test(tile.pixels)) fail(`${field}.pixels is not the base64 of ${rows * cols} bytes (${rows}x${cols}): ${tile.pixels.length} characters, expected ${characters}`);
    i++;
  }
  if (i !== cellTiles.length) fail(`shard.cellTiles holds ${cellTiles.length} tiles, expected ${i} (the first shard.htmlCap ${htmlCap} errors of each cell)`);
}

/** The error of image `index` in `errors` (sorted by index), by binary search. */
function findError(errors: readonly Prediction[], index: number): Prediction | undefined {
  let lo = 0;
  let hi = errors.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = errors[mid].index;
    if (at === index) return errors[mid];
    if (at < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
