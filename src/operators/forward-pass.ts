import { defer, finalize, map, type Observable, type OperatorFunction } from 'rxjs';
import { createForwardKernel, resolveKernel, type KernelChoice, type KernelName } from '../kernels/forward-kernel.js';
import type { Network } from '../nn/network.js';
import type { Batch, PredictedBatch } from '../types.js';

export interface ForwardPassOptions {
  /** Scale pixels from 0..255 to 0..1 (default true). Without it the book's network scores 0.9207. */
  readonly normalize?: boolean;
  /** The largest batch that will come (buffers are sized for it). */
  readonly maxBatchSize: number;
  /** The kernel: a name, or `auto` (default: WASM SIMD where the network allows, else JavaScript). */
  readonly kernel?: KernelChoice | KernelName;
  /** Threads that split each batch by rows (default 1; the WASM kernel's helpers share its memory). */
  readonly threads?: number;
}

/**
 * Maps each batch to its predictions on this thread. The kernel is made on subscribe, with every
 * buffer it needs; a batch allocates nothing in it.
 */
export function forwardPass(network: Network, options: ForwardPassOptions): OperatorFunction<Batch, PredictedBatch> {
  const normalize = options.normalize ?? true;
  const name = resolveKernel(network, options.kernel);
  return (source: Observable<Batch>) =>
    defer(() => {
      const kernel = createForwardKernel(network, name, { normalize, maxBatchSize: options.maxBatchSize, threads: options.threads });
      return source.pipe(
        map((batch): PredictedBatch => {
          const started = performance.now();
          const { predicted, confidence } = kernel.forward(batch.pixels, batch.count);
          return { ...batch, predicted, confidence, forwardMs: performance.now() - started };
        }),
        finalize(() => kernel.close()),
      );
    });
}
