/**
 * The evaluation pipeline: IDX samples → batches → forward pass → score, with a side stream of
 * misclassified images for the mosaic, the list of every error and, optionally, a row of CSV per image.
 *
 * Backpressure (`credits`): a batch takes a credit as it leaves the forward pass and gives it back
 * once every branch is done with it, the CSV rows included (their write waits for the file
 * stream's 'drain'). A source that awaits `credits.room()` before each read (readBatches$'s
 * `ready`) therefore stays paused while `credits.limit` batches are still being written, however
 * slow the disk. The forward pass bounds what it holds itself: the one on this thread holds
 * nothing, the worker pool blocks when its slots are full.
 */
import { concatMap, connect, defaultIfEmpty, defer, finalize, forkJoin, ignoreElements, map, reduce, tap, type Observable } from 'rxjs';
import type { Network } from '../src/nn/network.js';
import { batch } from '../src/operators/batch.js';
import type { Credits } from '../src/operators/credits.js';
import { ErrorList } from '../src/report/error-list.js';
import { resolveKernel, type KernelChoice, type KernelName } from '../src/kernels/forward-kernel.js';
import { forwardPass } from '../src/operators/forward-pass.js';
import { forwardPassInWorkers } from '../src/operators/forward-pass-workers.js';
import { misclassified } from '../src/operators/misclassified.js';
import { predictionRows } from '../src/operators/prediction-rows.js';
import { score } from '../src/operators/score.js';
import { TileCollector } from '../src/mosaic/tile-collector.js';
import type { Batch, Evaluation, Misclassified, MosaicOrder, Sample } from '../src/types.js';

export interface EvaluationOptions {
  readonly batchSize: number;
  readonly normalize: boolean;
  /** The forward-pass kernel (default `auto`: WASM SIMD where the network allows, else JavaScript). */
  readonly kernel?: KernelChoice | KernelName;
  /** Worker threads for the forward pass; 0 (the default) runs it on this thread. */
  readonly workers?: number;
  /** Threads that split each batch on the main thread's kernel when there are no workers (default 1). */
  readonly threads?: number;
  /** With workers, also run batches on the main thread whenever every worker has one (default false). */
  readonly shareWithMain?: boolean;
  /** Batches out to the workers at once (default 2 per worker). */
  readonly maxInFlight?: number;
  /** At most this many misclassified images are kept for the mosaic. */
  readonly mosaicCap: number;
  readonly mosaicOrder?: MosaicOrder;
  /**
   * Receives the CSV rows of every batch, in dataset order. When it returns a promise, the next
   * batch's rows wait for it, and the batch keeps its credit until it resolves.
   */
  readonly onPredictionRows?: (rows: string) => PromiseLike<void> | void;
  /** Bounds the batches between the forward pass and the end of the pipeline; see the file's comment. */
  readonly credits?: Credits;
  /** Called after each batch with the number of images done so far. */
  readonly onProgress?: (done: number) => void;
}

export interface EvaluationResult {
  readonly evaluation: Evaluation;
  /** The misclassified images kept for the mosaic, in mosaic order. */
  readonly tiles: readonly Misclassified[];
  /** How many images were misclassified in all, kept or not. */
  readonly misclassified: number;
  /** Every misclassified image (no pixels), in dataset order. */
  readonly errors: ErrorList;
}

/** Composes the pipeline over a stream of samples; nothing runs until it is subscribed. */
export function evaluation$(samples$: Observable<Sample>, network: Network, options: EvaluationOptions): Observable<EvaluationResult> {
  return defer(() => evaluateBatches$(samples$.pipe(batch(options.batchSize)), network, options));
}

/** Adds the errors of one batch to `errors` (copying: the batch's predictions are views reused later). */
function addErrors(errors: ErrorList, batch: Batch & { readonly predicted: Int32Array; readonly confidence: Float32Array }): ErrorList {
  for (let i = 0; i < batch.count; i++) {
    if (batch.predicted[i] !== batch.labels[i]) errors.add(batch.start + i, batch.labels[i], batch.predicted[i], batch.confidence[i]);
  }
  return errors;
}

/**
 * The same pipeline over batches already packed, in dataset order and at most `batchSize` images
 * each (readBatches$ makes them without a copy, which is what a large dataset wants).
 */
export function evaluateBatches$(batches$: Observable<Batch>, network: Network, options: EvaluationOptions): Observable<EvaluationResult> {
  return defer(() => {
    let done = 0;
    const { credits, onPredictionRows } = options;
    return batches$.pipe(
      (options.workers ?? 0) > 0
        ? forwardPassInWorkers(network, {
            normalize: options.normalize,
            maxBatchSize: options.batchSize,
            workers: options.workers!,
            kernel: resolveKernel(network, options.kernel),
            maxInFlight: options.maxInFlight,
            shareWithMain: options.shareWithMain,
          })
        : forwardPass(network, { normalize: options.normalize, maxBatchSize: options.batchSize, kernel: options.kernel, threads: options.threads }),
      tap((predicted) => {
        credits?.take();
        options.onProgress?.((done += predicted.count));
      }),
      connect((batches$) =>
        forkJoin({
          evaluation: batches$.pipe(score(network.outputSize)),
          collector: batches$.pipe(
            misclassified(),
            reduce((collector, wrong) => {
              collector.offer(wrong);
              return collector;
            }, new TileCollector<Misclassified>(options.mosaicCap, options.mosaicOrder ?? 'index')),
          ),
          errors: batches$.pipe(reduce(addErrors, new ErrorList())),
          // Last, so it sees each batch after the branches above: a batch is settled here.
          settled: (onPredictionRows
            ? batches$.pipe(predictionRows(), concatMap(async (rows) => onPredictionRows(rows)))
            : (batches$ as Observable<unknown>)
          ).pipe(
            tap(() => credits?.give()),
            ignoreElements(),
            defaultIfEmpty(null),
          ),
        }),
      ),
      map(({ evaluation, collector, errors }) => ({ evaluation, tiles: collector.tiles(), misclassified: collector.offered, errors })),
      finalize(() => credits?.releaseAll()),
    );
  });
}
