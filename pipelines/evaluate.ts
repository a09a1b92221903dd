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
import { forwardPass } from '../src/operators/forward-pass.js';
import { forwardPassInWorkers, type PoolOptions } from '../src/operators/forward-pass-workers.js';
import { planForward, type ForwardPlan, type ForwardRequest } from '../src/operators/forward-plan.js';
import type { ThreadSource } from '../src/workers/threads.js';
import { misclassified } from '../src/operators/misclassified.js';
import { predictionRows } from '../src/operators/prediction-rows.js';
import { score } from '../src/operators/score.js';
import { TileCollector } from '../src/mosaic/tile-collector.js';
import { CellImages } from '../src/html/cell-images.js';
import type { Batch, Evaluation, Misclassified, MosaicOrder, Sample } from '../src/types.js';

/** What the pipeline does beside the forward pass. */
export interface PipelineOptions {
  /** At most this many misclassified images are kept for the mosaic. */
  readonly mosaicCap: number;
  readonly mosaicOrder?: MosaicOrder;
  /** Keep the first this many misclassified images of each confusion cell, for the HTML report; undefined: none. */
  readonly cellCap?: number;
  /**
   * Receives the CSV rows of every batch, in dataset order. When it returns a promise, the next
   * batch's rows wait for it, and the batch keeps its credit until it resolves.
   */
  readonly onPredictionRows?: (rows: string) => PromiseLike<void> | void;
  /** Bounds the batches between the forward pass and the end of the pipeline; see the file's comment. */
  readonly credits?: Credits;
  /** Called after each batch with the number of images done so far. */
  readonly onProgress?: (done: number) => void;
  /** Where worker and helper threads come from (default: started when the run starts). */
  readonly threadSource?: ThreadSource;
  /** How the worker pool runs (batches in flight), for tests and the bench. */
  readonly pool?: Omit<PoolOptions, 'threadSource'>;
}

/** A library caller's options: the forward pass as a request (planned on subscribe), and the rest. */
export interface EvaluationOptions extends ForwardRequest, PipelineOptions {}

export interface EvaluationResult {
  readonly evaluation: Evaluation;
  /** The misclassified images kept for the mosaic, in mosaic order. */
  readonly tiles: readonly Misclassified[];
  /** How many images were misclassified in all, kept or not. */
  readonly misclassified: number;
  /** Every misclassified image (no pixels), in dataset order. */
  readonly errors: ErrorList;
  /** With `cellCap`: the first `cellCap` misclassified images of each confusion cell, in dataset order. */
  readonly cellImages?: readonly Misclassified[];
}

/** Composes the pipeline over a stream of samples; nothing runs until it is subscribed. */
export function evaluation$(samples$: Observable<Sample>, network: Network, options: EvaluationOptions): Observable<EvaluationResult> {
  return defer(() => {
    const plan = planForward(network, options);
    return evaluateBatches$(samples$.pipe(batch(plan.batchSize)), network, plan, options);
  });
}

/**
 * The same pipeline over batches already packed, in dataset order and at most `batchSize` images
 * each (readBatches$ makes them without a copy, which is what a large dataset wants).
 */
export function evaluateBatches$(batches$: Observable<Batch>, network: Network, plan: ForwardPlan, options: PipelineOptions): Observable<EvaluationResult> {
  return defer(() => {
    let done = 0;
    const { credits, onPredictionRows, threadSource } = options;
    return batches$.pipe(
      plan.workers > 0 ? forwardPassInWorkers(network, plan, { ...options.pool, threadSource }) : forwardPass(network, plan, threadSource),
      tap((predicted) => {
        credits?.take();
        options.onProgress?.((done += predicted.count));
      }),
      connect((batches$) =>
        forkJoin({
          evaluation: batches$.pipe(score(network.outputSize)),
          // Every error goes into the list (no pixels); the mosaic's collector keeps the first `cap`.
          wrong: batches$.pipe(
            misclassified(),
            reduce((kept, wrong) => {
              kept.errors.add(wrong.index, wrong.label, wrong.predicted, wrong.confidence);
              kept.collector.offer(wrong);
              kept.cells?.offer(wrong);
              return kept;
            }, {
              errors: new ErrorList(),
              collector: new TileCollector<Misclassified>(options.mosaicCap, options.mosaicOrder ?? 'index'),
              cells: options.cellCap === undefined ? undefined : new CellImages(options.cellCap),
            }),
          ),
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
      map(({ evaluation, wrong: { collector, errors, cells } }) => ({ evaluation, tiles: collector.tiles(), misclassified: collector.offered, errors, cellImages: cells?.images() })),
      finalize(() => credits?.releaseAll()),
    );
  });
}
