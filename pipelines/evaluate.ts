/**
 * The evaluation pipeline: IDX samples → batches → forward pass → score, with a side stream of
 * misclassified images for the mosaic and, optionally, a row of CSV per image.
 */
import { connect, defaultIfEmpty, defer, forkJoin, ignoreElements, map, of, reduce, tap, type Observable } from 'rxjs';
import type { Network } from '../src/nn/network.js';
import { batch, type Sample } from '../src/operators/batch.js';
import { resolveKernel, type KernelChoice, type KernelName } from '../src/kernels/forward-kernel.js';
import { forwardPass } from '../src/operators/forward-pass.js';
import { forwardPassInWorkers } from '../src/operators/forward-pass-workers.js';
import { misclassified, type Misclassified } from '../src/operators/misclassified.js';
import { predictionRows } from '../src/operators/prediction-rows.js';
import { score, type Evaluation } from '../src/operators/score.js';
import { TileCollector, type MosaicOrder } from '../src/sinks/mosaic-order.js';

export interface EvaluationOptions {
  readonly batchSize: number;
  readonly normalize: boolean;
  /** The forward-pass kernel (default `auto`: WASM SIMD where the network allows, else JavaScript). */
  readonly kernel?: KernelChoice | KernelName;
  /** Worker threads for the forward pass; 0 (the default) runs it on this thread. */
  readonly workers?: number;
  /** Batches out to the workers at once (default 2 per worker). */
  readonly maxInFlight?: number;
  /** At most this many misclassified images are kept for the mosaic. */
  readonly mosaicCap: number;
  readonly mosaicOrder?: MosaicOrder;
  /** Receives the CSV rows of every batch, in dataset order. */
  readonly onPredictionRows?: (rows: string) => void;
  /** Called after each batch with the number of images done so far. */
  readonly onProgress?: (done: number) => void;
}

export interface EvaluationResult {
  readonly evaluation: Evaluation;
  /** The misclassified images kept for the mosaic, in mosaic order. */
  readonly tiles: readonly Misclassified[];
  /** How many images were misclassified in all, kept or not. */
  readonly misclassified: number;
}

/** Composes the pipeline over a stream of samples; nothing runs until it is subscribed. */
export function evaluation$(samples$: Observable<Sample>, network: Network, options: EvaluationOptions): Observable<EvaluationResult> {
  return defer(() => {
    let done = 0;
    return samples$.pipe(
      batch(options.batchSize),
      (options.workers ?? 0) > 0
        ? forwardPassInWorkers(network, {
            normalize: options.normalize,
            maxBatchSize: options.batchSize,
            workers: options.workers!,
            kernel: resolveKernel(network, options.kernel),
            maxInFlight: options.maxInFlight,
          })
        : forwardPass(network, { normalize: options.normalize, maxBatchSize: options.batchSize, kernel: options.kernel }),
      tap((predicted) => options.onProgress?.((done += predicted.count))),
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
          rows: options.onPredictionRows
            ? batches$.pipe(predictionRows(), tap(options.onPredictionRows), ignoreElements(), defaultIfEmpty(null))
            : of(null),
        }),
      ),
      map(({ evaluation, collector }) => ({ evaluation, tiles: collector.tiles(), misclassified: collector.offered })),
    );
  });
}
