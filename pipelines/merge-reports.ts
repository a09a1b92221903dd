/**
 * `mnist-eval merge`: joins the partial reports of the N shards of one run into the report that a
 * single run over the whole range gives, and draws its mosaic from the shards' tiles, without
 * the dataset. Counts and confusion matrices add up; the error lists, each in dataset order over
 * contiguous ranges, follow one another; the mosaic's tiles are the first `cap` of the union of
 * the shards' first `cap` in the mosaic's order, which are the first `cap` of all errors.
 *
 * What differs from a single run: `timing` (the merge's own time, and the shards' forward time
 * added up), `resources` (the largest peak of the shards and the merge), `forward` (the first
 * shard's) and the output paths.
 */
import { stat } from 'node:fs/promises';
import { readAtMost } from '../src/weights/read-weight-file.js';
import { InputError, listSome } from '../src/errors.js';
import type { MergeRunOptions } from './run-options.js';
import { OutputSet } from '../src/outputs/output-set.js';
import { checkPlaces } from '../src/outputs/output-places.js';
import { findChartFont } from '../src/charts/chart-font.js';
import { renderMosaic } from '../src/mosaic/render-mosaic.js';
import { TileCollector } from '../src/mosaic/tile-collector.js';
import { CellImages } from '../src/html/cell-images.js';
import { buildReport, peakRssMb } from '../src/report/build-report.js';
import { decodeTiles, formatReportJson } from '../src/report/report-json.js';
import { validatePartialReport } from '../src/report/validate-partial.js';
import { joinPredictions, predictionsOf } from './join-predictions.js';
import { outputTargets, stageResults } from './stage-outputs.js';
import type { Misclassified, Prediction, Report, ShardPart } from '../src/types.js';

/** A shard's report as read from its file. */
export interface PartialReport {
  readonly file: string;
  readonly report: Report & { readonly shard: ShardPart };
}

export interface MergedReport {
  readonly report: Report;
  /** The merged mosaic's tiles, in mosaic order. */
  readonly tiles: Misclassified[];
  /** Of each confusion cell, the first `htmlCap` errors of all shards, in dataset order (undefined: the shards carry none). */
  readonly cellImages?: Misclassified[];
}

/**
 * The largest partial report merge reads, refused before it is parsed: a shard's report holds its
 * counts, its errors (some 90 bytes each: 2.8 million of them) and at most `mosaicCap` tiles
 * (100,000 MNIST tiles take some 110 MB); more shards make smaller reports.
 */
export const MAX_PARTIAL_REPORT_BYTES = 256 * 2 ** 20;

/** The bytes of `file`, refused past `limit` before they are held: by its size when it is a regular file, else while reading. */
async function readCapped(file: string, limit: number): Promise<Buffer> {
  const tooLarge = (size?: number) => new InputError(file, `${size === undefined ? '' : `${size} bytes, `}more than the limit of ${limit} bytes for a partial report (split the run into more shards)`);
  let bytes: Buffer | undefined;
  try {
    const stats = await stat(file);
    if (stats.isDirectory()) throw new InputError(file, 'is a folder, expected a partial report (JSON)');
    if (stats.isFile() && stats.size > limit) throw tooLarge(stats.size);
    bytes = await readAtMost(file, limit);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? 'no such file' : `cannot read (${(error as Error).message})`);
  }
  if (bytes === undefined) throw tooLarge();
  return bytes;
}

/** A shard's report from `file`, read through the size cap and validated as untrusted input (see validate-partial.ts). */
export async function readPartialReport(file: string, limit = MAX_PARTIAL_REPORT_BYTES): Promise<PartialReport> {
  const bytes = await readCapped(file, limit);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(file, `not a JSON report (${(error as Error).message})`);
  }
  return { file, report: validatePartialReport(value, file) };
}

/** The model's description without the paths of its files. */
function withoutPaths(model: unknown): unknown {
  const { source, weights, ...rest } = (model ?? {}) as { source?: unknown; weights?: Record<string, unknown> };
  void source;
  return { ...rest, weights: weights === undefined ? undefined : { ...weights, path: undefined } };
}

/**
 * The fields every shard of one run shares, compared as JSON. File paths may differ from machine
 * to machine; the weights' sha256 and the layers may not.
 */
const sameRun = (report: Report) =>
  JSON.stringify({
    range: report.range,
    weightsSha256: report.inputs?.weightsSha256,
    // Before the model, whose preprocessing it is part of: the plainer message when it differs.
    normalize: report.normalize,
    model: withoutPaths(report.model),
    batchSize: report.batchSize,
    classes: report.confusion.length,
    classNames: report.classes,
    count: report.shard?.count,
    rows: report.shard?.rows,
    cols: report.shard?.cols,
    mosaicCap: report.shard?.mosaicCap,
    mosaicOrder: report.shard?.mosaicOrder,
    mosaicScale: report.shard?.mosaicScale,
    htmlCap: report.shard?.htmlCap,
  });

/** Checks that `parts` are the N shards of one run, each once; returns them in shard order. */
export function checkShards(parts: readonly PartialReport[]): PartialReport[] {
  if (parts.length === 0) throw new InputError('merge', 'no partial reports given');
  const [first] = parts;
  const key = sameRun(first.report);
  for (const part of parts.slice(1)) {
    if (sameRun(part.report) !== key) {
      const a = JSON.parse(key) as Record<string, unknown>;
      const b = JSON.parse(sameRun(part.report)) as Record<string, unknown>;
      const field = Object.keys(a).find((name) => JSON.stringify(a[name]) !== JSON.stringify(b[name]));
      throw new InputError(part.file, `is not a shard of the same run as ${first.file}: its ${field} differs`);
    }
  }
  const { count } = first.report.shard;
  const byIndex = new Map<number, PartialReport>();
  for (const part of parts) {
    const twin = byIndex.get(part.report.shard.index);
    if (twin !== undefined) throw new InputError(part.file, `is shard ${part.report.shard.index} of ${count}, as ${twin.file} is`);
    byIndex.set(part.report.shard.index, part);
  }
  // Every index is below count (validated), so count - byIndex.size are missing; the first 10 are
  // found among the first byIndex.size + 10 indices, whatever count a report declares.
  if (byIndex.size < count) {
    const missing: number[] = [];
    for (let i = 0; missing.length < 10 && i < count; i++) if (!byIndex.has(i)) missing.push(i);
    throw new InputError('merge', `shards ${listSome(missing, 10, count - byIndex.size)} of ${count} are missing, expected one report for each of 0..${count - 1}`);
  }
  const ordered = [...byIndex.values()].sort((a, b) => a.report.shard.index - b.report.shard.index);
  let next = first.report.range.start;
  for (const { file, report } of ordered) {
    const { start, end } = report.shard;
    if (start !== next) throw new InputError(file, `covers records ${start}..${end - 1}, expected its range to start at ${next}`);
    next = end;
  }
  if (next !== first.report.range.end) throw new InputError('merge', `the shards end at record ${next}, expected ${first.report.range.end}`);
  return ordered;
}

/** The report a single run over the shards' whole range gives (see the file's comment for the fields that differ). */
export function mergeReports(parts: readonly PartialReport[], outputs: { mosaic: string; predictions?: string }, started = performance.now()): MergedReport {
  const ordered = checkShards(parts);
  const first = ordered[0].report;
  const firstShard = first.shard;
  const classes = first.confusion.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  let total = 0;
  let misclassified = 0;
  let forwardMs = 0;
  let peak = 0;
  const errors: Prediction[] = [];
  const collector = new TileCollector<Misclassified>(firstShard.mosaicCap, firstShard.mosaicOrder);
  // Every shard has cellTiles or none does (their htmlCap is compared by checkShards).
  const cells = firstShard.htmlCap === undefined ? undefined : new CellImages(firstShard.htmlCap);
  for (const { file, report } of ordered) {
    report.confusion.forEach((row, t) => row.forEach((n, p) => (confusion[t][p] += n)));
    correct += report.correct;
    total += report.total;
    misclassified += report.misclassified;
    forwardMs += report.timing?.forwardMs ?? 0;
    peak = Math.max(peak, report.resources?.peakRssMb ?? 0);
    for (const error of report.errors) errors.push(error);
    for (const tile of decodeTiles(report.shard.tiles, firstShard.rows * firstShard.cols, file)) collector.offer(tile);
    // In shard order, each in dataset order: the first htmlCap of a cell over all shards.
    if (cells !== undefined) for (const tile of decodeTiles(report.shard.cellTiles ?? [], firstShard.rows * firstShard.cols, file)) cells.offer(tile);
  }
  const tiles = collector.tiles();
  const report = buildReport({
    evaluation: { total, correct, confusion, forwardMs },
    misclassified,
    errors,
    normalize: first.normalize,
    batchSize: first.batchSize,
    inputs: first.inputs,
    model: first.model,
    mosaic: { path: outputs.mosaic, shown: tiles.length },
    predictions: outputs.predictions ?? null,
    totalMs: performance.now() - started,
    forward: first.forward,
    resources: { peakRssMb: Math.max(peak, peakRssMb()) },
    range: first.range,
    classes: first.classes,
  });
  return { report, tiles, cellImages: cells?.images() };
}

/**
 * Reads the partial reports, merges them, and writes what a single run writes, all together: the
 * report, the mosaic and its tile index, and if asked the HTML page, the charts and the predictions
 * CSV (joined from the shards' own CSVs, see join-predictions.ts).
 */
export async function runMerge(options: MergeRunOptions, hooks: { readonly log: (line: string) => void; readonly stdout?: NodeJS.WritableStream }): Promise<Report> {
  const started = performance.now();
  const outputs = new OutputSet({ stdout: hooks.stdout });
  try {
    await outputs.checkWritable(outputTargets(options), options.parts.map((path) => ({ path, as: 'a partial report' })));
    // The chart font is the user's setting: a missing one fails now, not after the merge.
    if (options.charts !== undefined) findChartFont();
    // One at a time: at most one report's text is held beside the parsed ones.
    const parts: PartialReport[] = [];
    for (const part of options.parts) parts.push(await readPartialReport(part));
    const { report, tiles, cellImages } = mergeReports(parts, options, started);
    const ordered = [...parts].sort((a, b) => a.report.shard.index - b.report.shard.index);
    // A shard without its CSV is refused before anything is said or written.
    const csvs = options.predictions === undefined ? undefined : predictionsOf(ordered);
    if (csvs !== undefined) await checkPlaces(outputTargets(options), csvs.map((path, k) => ({ path, as: `shard ${ordered[k].report.shard.index}'s predictions CSV` })));
    const { rows, cols, mosaicScale } = parts[0].report.shard;
    if (options.predictions !== undefined && csvs !== undefined) await joinPredictions(ordered, csvs, outputs.openStream(options.predictions));
    hooks.log(`merged ${parts.length} shards: ${report.total} images, records ${report.range.start}..${report.range.end - 1}`);
    const mosaic = () => renderMosaic(tiles, { rows, cols, scale: mosaicScale, classes: report.classes, header: { total: report.total, misclassified: report.misclassified, shown: tiles.length } });
    const htmlCap = parts[0].report.shard.htmlCap;
    await stageResults(outputs, options, { report, reportJson: formatReportJson(report), mosaic, tiles, rows, cols, cellImages, htmlCap });
    await outputs.commit();
    return report;
  } catch (error) {
    await outputs.abort();
    throw error;
  }
}
