import { defer, finalize, map, type Observable, type OperatorFunction } from 'rxjs';
import { createForwardKernel, resolveKernel, type KernelChoice, type KernelName } from '../kernels/forward-kernel.js';
import type { Network } from '../nn/network.js';
import type { FloatArray } from '../nn/matrix.js';
import type { Batch } from './batch.js';

/** A batch with the network's answer for each image. */
export interface PredictedBatch extends Batch {
  /**
   * The predicted class of each image (argmax of the output). Like `confidence`, a view into a
   * buffer the forward pass reuses for a later batch: copy it to keep it past this batch.
   */
  readonly predicted: Int32Array;
  /** The output probability of the predicted class. */
  readonly confidence: Float32Array;
  /**
   * Milliseconds of forward pass for this batch: its time in the kernel on this thread, or with
   * workers its share of the time during which at least one worker was computing.
   */
  readonly forwardMs: number;
}

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
 * Pixels 0..255 → network input, scaled to 0..1 unless `normalize` is false. Scaled in float32 as
 * the book's `load_mnist` does (`astype(np.float32)`, then `/= 255.0`), also into a float64 input:
 * numpy then widens those float32 values when it multiplies them by float64 weights.
 */
export function toInput(pixels: Uint8Array, normalize: boolean, x: FloatArray): void {
  if (normalize) for (let i = 0; i < pixels.length; i++) x[i] = Math.fround(pixels[i] / 255);
  else for (let i = 0; i < pixels.length; i++) x[i] = pixels[i];
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
