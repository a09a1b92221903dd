/**
 * The main job, with its I/O edges: resolve the inputs, load the network, run the evaluation
 * pipeline, and write the report, the mosaic and the predictions only when the whole run succeeded.
 */
import { Observable } from 'rxjs';
import { basename, dirname, extname, join } from 'node:path';
import type { CliOptions } from '../src/cli-options.js';
import { requireDataFile, sampleWeights, TEST_IMAGES, TEST_LABELS } from '../src/data-files.js';
import { InputError } from '../src/errors.js';
import { describeLayers, parameterCount, type Network } from '../src/nn/network.js';
import { PREDICTIONS_HEADER } from '../src/operators/prediction-rows.js';
import { OutputSet } from '../src/sinks/atomic-write.js';
import { renderMosaic } from '../src/sinks/mosaic.js';
import { accuracyOf, formatJson, perClass, type ClassScore } from '../src/sinks/report.js';
import { encodeMosaicPng, mosaicSidecar } from '../src/sinks/write-mosaic.js';
import { readIdxHeaderOf, readSamples$ } from '../src/sources/mnist.js';
import { inferMlp } from '../src/weights/infer-mlp.js';
import { loadWeights } from '../src/weights/load.js';
import { resolveKernel } from '../src/kernels/forward-kernel.js';
import { defaultWorkers } from '../src/workers/forward-pool.js';
import { evaluation$, type EvaluationResult } from './evaluate.js';

export interface Report {
  readonly accuracy: number;
  readonly correct: number;
  readonly total: number;
  readonly misclassified: number;
  readonly confusion: number[][];
  readonly perClass: ClassScore[];
  readonly normalize: boolean;
  readonly batchSize: number;
  readonly inputs: { readonly images: string; readonly labels: string; readonly weights: string; readonly weightsSha256: string };
  readonly model: { readonly layers: string[]; readonly parameters: number; readonly precision: string };
  readonly mosaic: { readonly path: string; readonly sidecar: string; readonly shown: number; readonly leftOut: number };
  readonly predictions: string | null;
  readonly timing: { readonly totalMs: number; readonly forwardMs: number };
  /** How the forward pass ran: its kernel, and on how many worker threads (0: the main thread). */
  readonly forward: { readonly kernel: string; readonly workers: number };
}

export interface RunHooks {
  readonly log: (line: string) => void;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export const sidecarPath = (mosaicPath: string): string =>
  join(dirname(mosaicPath), `${basename(mosaicPath, extname(mosaicPath))}.json`);

/** Runs the pipeline to its single result; unsubscribes (closing the files) when `signal` aborts. */
function runToEnd<T>(source$: Observable<T>, signal?: AbortSignal): Promise<T> {
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

export async function runEvaluation(options: CliOptions, hooks: RunHooks): Promise<Report> {
  const started = performance.now();
  const images = options.images ?? requireDataFile(TEST_IMAGES);
  const labels = options.labels ?? requireDataFile(TEST_LABELS);
  const weightsPath = options.weights ?? (await sampleWeights({ log: hooks.log }));

  const outputs = new OutputSet();
  try {
    await outputs.checkWritable([options.report, options.mosaic, sidecarPath(options.mosaic), ...(options.predictions ? [options.predictions] : [])]);
    const header = await readIdxHeaderOf(images, 'images');
    const [, rows, cols] = header.dims;
    const weights = await loadWeights(weightsPath);
    const network: Network = inferMlp(weights.arrays, weightsPath, { inputSize: rows * cols, activation: options.activation });
    hooks.log(`evaluating ${weightsPath} on ${images} (${header.count} images, batches of ${options.batchSize})`);
    const kernel = resolveKernel(network, options.kernel);
    const workers = options.workers ?? defaultWorkers(header.count);
    const predictions = options.predictions ? outputs.openStream(options.predictions) : undefined;
    predictions?.write(PREDICTIONS_HEADER);

    const result: EvaluationResult = await runToEnd(
      evaluation$(readSamples$(images, labels, { classes: network.outputSize }), network, {
        batchSize: options.batchSize,
        normalize: options.normalize,
        kernel,
        workers,
        mosaicCap: options.mosaicCap,
        onPredictionRows: predictions ? (rows) => predictions.write(rows) : undefined,
        onProgress: (done) => hooks.onProgress?.(done, header.count),
      }),
      hooks.signal,
    );
    const { evaluation, tiles } = result;
    const mosaic = renderMosaic(tiles, { rows, cols, header: { total: evaluation.total, misclassified: result.misclassified, shown: tiles.length } });
    const report: Report = {
      accuracy: accuracyOf(evaluation),
      correct: evaluation.correct,
      total: evaluation.total,
      misclassified: result.misclassified,
      confusion: evaluation.confusion,
      perClass: perClass(evaluation.confusion),
      normalize: options.normalize,
      batchSize: options.batchSize,
      inputs: { images, labels, weights: weightsPath, weightsSha256: weights.sha256 },
      model: { layers: describeLayers(network), parameters: parameterCount(network), precision: network.precision },
      mosaic: { path: options.mosaic, sidecar: sidecarPath(options.mosaic), shown: tiles.length, leftOut: result.misclassified - tiles.length },
      predictions: options.predictions ?? null,
      timing: { totalMs: performance.now() - started, forwardMs: evaluation.forwardMs },
      forward: { kernel, workers },
    };
    await outputs.stage(options.mosaic, encodeMosaicPng(mosaic));
    await outputs.stage(sidecarPath(options.mosaic), formatJson(mosaicSidecar(mosaic, { total: evaluation.total, misclassified: result.misclassified })));
    await outputs.stage(options.report, formatJson(report));
    await outputs.commit();
    return report;
  } catch (error) {
    await outputs.abort();
    throw error;
  }
}
