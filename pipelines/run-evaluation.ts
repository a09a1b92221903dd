/**
 * The main job, with its I/O edges: resolve the inputs, load the network, run the evaluation
 * pipeline, and write the report, the mosaic and the predictions only when the whole run succeeded.
 */
import { Observable } from 'rxjs';
import { dirname, relative, resolve } from 'node:path';
import type { RunOptions } from './run-options.js';
import { requireDataFile, TEST_IMAGES, TEST_LABELS } from '../src/datasets/data-files.js';
import { loadModel } from '../src/model/load-model.js';
import { pixelSteps } from '../src/nn/input.js';
import type { Network } from '../src/nn/network.js';
import { PREDICTIONS_HEADER } from '../src/operators/prediction-rows.js';
import { OutputSet } from '../src/outputs/output-set.js';
import { checkPlaces } from '../src/outputs/output-places.js';
import { renderMosaic } from '../src/mosaic/render-mosaic.js';
import { mosaicTooLarge } from '../src/mosaic/mosaic-limits.js';
import { buildReport, peakRssMb } from '../src/report/build-report.js';
import { openImagesAhead, readBatches$, readIdxHeaderOf } from '../src/sources/mnist.js';
import type { IdxReader } from '../src/sources/idx-reader.js';
import { datasetClasses, datasetFiles } from '../src/datasets/named-datasets.js';
import { checkClassCount, resolveClassNames } from '../src/datasets/class-names.js';
import { DEFAULT_HTML_CAP } from '../src/html/html-limits.js';
import { checkedRange } from '../src/sources/checked-range.js';
import { pairedInputs } from '../src/sources/paired-inputs.js';
import { Credits } from '../src/operators/credits.js';
import { encodeTiles, formatReportJson } from '../src/report/report-json.js';
import { planForward, threadsWanted } from '../src/operators/forward-plan.js';
import { precompileKernels } from '../src/kernels/forward-kernel.js';
import { createThreadSource } from '../src/workers/threads.js';
import { redactUrls, UsageError, usageErrorOf } from '../src/errors.js';
import { evaluateBatches$, type EvaluationResult } from './evaluate.js';
import { outputTargets, runInputs, stageResults } from './stage-outputs.js';
import type { ModelInfo, Report } from '../src/types.js';

/** Batches that may wait between the forward pass and the end of the pipeline (CSV writes). */
export const MAX_SETTLING_BATCHES = 8;

export interface RunHooks {
  readonly log: (line: string) => void;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Where an output given as `-` goes (default: process.stdout). */
  readonly stdout?: NodeJS.WritableStream;
}

/** Runs the pipeline to its single result; unsubscribes (closing the files) when `signal` aborts. */
function runToEnd<T>(source$: Observable<T>, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let last: T | undefined;
    let seen = false;
    const subscription = source$.subscribe({
      next: (value) => {
        last = value;
        seen = true;
      },
      error: reject,
      complete: () => (seen ? resolve(last as T) : reject(new Error('the pipeline produced no result'))),
    });
    signal?.addEventListener('abort', () => {
      subscription.unsubscribe();
      reject(signal.reason);
    }, { once: true });
  });
}

/**
 * The source reads a file chunk (1 MiB, some 1300 images) per turn of the event loop and the
 * batches in it go through the forward pass as microtasks: with a slow network (a convnet), that
 * is seconds in which no signal is delivered. Every `TURN_EVERY_MS` the source therefore waits
 * for a turn of the event loop (setImmediate) before its next batch.
 */
const TURN_EVERY_MS = 50;
function eventLoopTurns(everyMs: number): () => Promise<void> | undefined {
  let last = performance.now();
  return () => {
    if (performance.now() - last < everyMs) return undefined;
    return new Promise((resolve) => setImmediate(() => {
      last = performance.now();
      resolve();
    }));
  };
}

/** `work`, or the signal's reason as soon as `signal` aborts (`work` goes on; its failure is then ignored). */
function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return work;
  return new Promise((resolve, reject) => {
    const abort = (): void => reject(signal.reason);
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

export async function runEvaluation(options: RunOptions, hooks: RunHooks): Promise<Report> {
  const started = performance.now();
  // The kernel's WebAssembly compiles on V8's threads while the inputs are checked and the weights load.
  const kernelsCompiled = precompileKernels();
  const named = options.dataset === undefined ? undefined : datasetFiles(options.dataset);
  const { images, labels } = named ?? pairedInputs(options, hooks.log) ?? { images: requireDataFile(TEST_IMAGES), labels: requireDataFile(TEST_LABELS) };

  const outputs = new OutputSet({ stdout: hooks.stdout });
  const threadSource = createThreadSource();
  let imagesAhead: IdxReader | undefined;
  try {
    // The images stream in, and gunzip inflates them on its own thread, while the outputs are
    // checked and the weights load; the header is read from that stream.
    imagesAhead = await openImagesAhead(images);
    const classesFile = options.classes !== undefined && !Array.isArray(options.classes) ? (options.classes as { readonly file: string }).file : undefined;
    await outputs.checkWritable(outputTargets(options), runInputs({ ...options, images, labels, classes: classesFile }));
    // The names are read before anything heavy, and held against the network's outputs once it is loaded.
    const classes = options.classes !== undefined ? await resolveClassNames(options.classes) : options.dataset === undefined ? undefined : datasetClasses(options.dataset);
    const header = imagesAhead === undefined ? await readIdxHeaderOf(images, 'images', { signal: hooks.signal }) : await imagesAhead.header();
    const [, rows, cols] = header.dims;
    // --mosaic-cap and --mosaic-scale were checked at 28x28; the images' own size may not fit.
    const tooLarge = mosaicTooLarge(options.mosaicCap, { rows, cols, scale: options.mosaicScale });
    if (tooLarge !== undefined) throw new UsageError(`--mosaic-cap ${options.mosaicCap} --mosaic-scale ${options.mosaicScale}: ${images}: ${tooLarge}; lower either`);
    // An empty or out-of-range selection is refused before any thread starts or weight loads.
    const { range, part } = checkedRange(header.count, options, images);
    // The threads the plan will use start now, while the weights load.
    const wanted = usageErrorOf(() => threadsWanted(options, header.count));
    threadSource.start('forward-worker', wanted.workers);
    threadSource.start('kernel-helper', wanted.threads - 1);
    const { network, info: model }: { network: Network; info: ModelInfo } = await loadModel({
      model: options.model, weights: options.weights, activation: options.activation, normalize: options.normalize, mean: options.mean, std: options.std, precision: options.precision, imageShape: [rows, cols], log: hooks.log, maxWeightBytes: options.maxWeightBytes, signal: hooks.signal,
    });
    if (classes !== undefined) checkClassCount(classes, network.outputSize, options.classes ?? 'dataset', options.dataset);
    // The default weights are known now: no output may be them either.
    if (options.weights === undefined) await checkPlaces(outputTargets(options), [{ path: model.weights.path, as: '--weights' }]);
    const count = part.end - part.start;
    const which = count === header.count ? `${header.count} images` : `images ${part.start}..${part.end - 1} of ${header.count}`;
    const shardNote = options.shard === undefined ? '' : `, shard ${options.shard.index}/${options.shard.count}`;
    const plan = usageErrorOf(() => planForward(network, options, header.count));
    hooks.log(`evaluating ${model.name} with ${model.weights.path} (${model.weights.format}, ${model.precision}, ${model.output}) on ${images} (${which}${shardNote}, batches of ${plan.batchSize})`);
    const predictions = options.predictions ? outputs.openStream(options.predictions) : undefined;
    await predictions?.write(PREDICTIONS_HEADER);
    // Backpressure: the files are read no further while MAX_SETTLING_BATCHES batches wait on writes.
    const credits = new Credits(MAX_SETTLING_BATCHES);
    await kernelsCompiled;
    const turn = eventLoopTurns(TURN_EVERY_MS);
    const batches$ = readBatches$(images, labels, plan.batchSize, {
      offset: part.start, limit: count, classes: network.outputSize, ready: () => credits.room() ?? turn(), images: imagesAhead,
    });

    const result: EvaluationResult = await runToEnd(
      evaluateBatches$(batches$, network, plan, {
        mosaicCap: options.mosaicCap,
        mosaicOrder: options.mosaicOrder,
        // A shard keeps them for the HTML page a merge may draw.
        cellCap: options.html === undefined && options.shard === undefined ? undefined : options.htmlCap ?? DEFAULT_HTML_CAP,
        credits,
        threadSource,
        onPredictionRows: predictions ? (rows) => predictions.write(rows) : undefined,
        onProgress: (done) => hooks.onProgress?.(done, count),
      }),
      hooks.signal,
    );
    const { evaluation, tiles } = result;
    const mosaic = () => renderMosaic(tiles, { rows, cols, scale: options.mosaicScale, classes, header: { total: evaluation.total, misclassified: result.misclassified, shown: tiles.length } });
    const report = buildReport({
      evaluation,
      misclassified: result.misclassified,
      // Made only if read (--json, a library caller): the report file is written from the list itself.
      errors: () => result.errors.entries(),
      normalize: pixelSteps(network, options.normalize).some((step) => step.op === 'divide'),
      batchSize: plan.batchSize,
      // A URL's credentials stay out of the report (`redactUrls`), which is made to be shared.
      inputs: { images: redactUrls(images), labels: redactUrls(labels), weights: model.weights.path, weightsSha256: model.weights.sha256 },
      model,
      mosaic: { path: options.mosaic ?? null, shown: tiles.length },
      predictions: options.predictions ?? null,
      totalMs: performance.now() - started,
      forward: { kernel: plan.kernel, workers: plan.workers, threads: plan.threads, alsoMainThread: plan.shareWithMain },
      resources: { peakRssMb: peakRssMb() },
      range,
      classes,
      shard: options.shard === undefined ? undefined : {
        ...options.shard, ...part, rows, cols, mosaicCap: options.mosaicCap, mosaicOrder: options.mosaicOrder, mosaicScale: options.mosaicScale,
        // The shard's own CSV, for `merge --predictions`: found from the partial report's folder.
        predictions: options.predictions === undefined || options.predictions === '-' ? undefined : relative(dirname(resolve(options.report)), resolve(options.predictions)),
        tiles: encodeTiles(tiles),
        htmlCap: options.htmlCap ?? DEFAULT_HTML_CAP,
        cellTiles: encodeTiles(result.cellImages ?? []),
      },
    });
    // A signal while staging (an HTML page, charts) ends the wait at once; the staging stops at its next file.
    await untilAborted(stageResults(outputs, options, { report, reportJson: () => formatReportJson(report, result.errors), mosaic, tiles, rows, cols, cellImages: result.cellImages, htmlCap: options.htmlCap ?? DEFAULT_HTML_CAP }), hooks.signal);
    // The last moment a signal undoes the run; one during the commit lets it finish (main says so).
    hooks.signal?.throwIfAborted();
    await outputs.commit();
    return report;
  } catch (error) {
    await outputs.abort();
    throw error;
  } finally {
    imagesAhead?.close();
    threadSource.close();
  }
}
