import { defer, finalize, map, type Observable, type OperatorFunction } from 'rxjs';
import { createForwardKernel } from '../kernels/forward-kernel.js';
import type { Network } from '../nn/network.js';
import type { Batch, PredictedBatch } from '../types.js';
import { spawnThread, type ThreadSource } from '../workers/threads.js';
import type { ForwardPlan } from './forward-plan.js';

/** What the forward pass on this thread uses of the plan. */
export type MainThreadPlan = Pick<ForwardPlan, 'batchSize' | 'normalize' | 'kernel' | 'threads'>;

/** A batch larger than the plan's: the source and the forward pass were given different batch sizes. */
export function checkBatchSize(batch: Batch, plan: Pick<ForwardPlan, 'batchSize'>): void {
  if (batch.count > plan.batchSize) {
    throw new RangeError(`forward pass: a batch of ${batch.count} images is larger than the plan's batch size ${plan.batchSize}; give the source the same batch size`);
  }
}

/**
 * Maps each batch to its predictions on this thread. The kernel is made on subscribe, with every
 * buffer it needs for the plan's batch size; a batch allocates nothing in it. Helper threads of
 * a kernel on `plan.threads` > 1 come from `threadSource` (default: started on subscribe).
 */
export function forwardPass(network: Network, plan: MainThreadPlan, threadSource?: ThreadSource): OperatorFunction<Batch, PredictedBatch> {
  const helperThread = () => threadSource?.take('kernel-helper') ?? spawnThread('kernel-helper');
  return (source: Observable<Batch>) =>
    defer(() => {
      const kernel = createForwardKernel(network, plan.kernel, { normalize: plan.normalize, maxBatchSize: plan.batchSize, threads: plan.threads, helperThread });
      return source.pipe(
        map((batch): PredictedBatch => {
          checkBatchSize(batch, plan);
          const started = performance.now();
          const { predicted, confidence } = kernel.forward(batch.pixels, batch.count);
          return { ...batch, predicted, confidence, forwardMs: performance.now() - started };
        }),
        finalize(() => kernel.close()),
      );
    });
}
