import { defer, map, type Observable, type OperatorFunction } from 'rxjs';
import type { Network } from '../nn/network.js';
import { createPredict } from '../nn/predict.js';
import type { FloatArray } from '../nn/matrix.js';
import type { Batch } from './batch.js';

/** A batch with the network's answer for each image. */
export interface PredictedBatch extends Batch {
  /** The predicted class of each image (argmax of the output). */
  readonly predicted: Int32Array;
  /** The output probability of the predicted class. */
  readonly confidence: Float32Array;
  /** Milliseconds from the batch entering the forward pass to its predictions leaving it. */
  readonly forwardMs: number;
}

export interface ForwardPassOptions {
  /** Scale pixels from 0..255 to 0..1 (default true). Without it the book's network scores 0.9207. */
  readonly normalize?: boolean;
  /** The largest batch that will come (buffers are sized for it). */
  readonly maxBatchSize: number;
}

/** Pixels 0..255 → network input, scaled to 0..1 unless `normalize` is false. */
export function toInput(pixels: Uint8Array, normalize: boolean, x: FloatArray): void {
  if (normalize) for (let i = 0; i < pixels.length; i++) x[i] = pixels[i] / 255;
  else for (let i = 0; i < pixels.length; i++) x[i] = pixels[i];
}

/** Maps each batch to its predictions. Input and layer buffers are reused from batch to batch. */
export function forwardPass(network: Network, options: ForwardPassOptions): OperatorFunction<Batch, PredictedBatch> {
  const normalize = options.normalize ?? true;
  return (source: Observable<Batch>) =>
    defer(() => {
      const predict = createPredict(network, options.maxBatchSize);
      const input = network.precision === 'float64'
        ? new Float64Array(options.maxBatchSize * network.inputSize)
        : new Float32Array(options.maxBatchSize * network.inputSize);
      return source.pipe(
        map((batch): PredictedBatch => {
          const started = performance.now();
          const x = input.subarray(0, batch.count * network.inputSize);
          toInput(batch.pixels, normalize, x);
          const y = predict({ rows: batch.count, cols: network.inputSize, data: x });
          const predicted = new Int32Array(batch.count);
          const confidence = new Float32Array(batch.count);
          for (let i = 0; i < batch.count; i++) {
            const row = i * y.cols;
            let best = 0;
            for (let j = 1; j < y.cols; j++) if (y.data[row + j] > y.data[row + best]) best = j;
            predicted[i] = best;
            confidence[i] = y.data[row + best];
          }
          return { ...batch, predicted, confidence, forwardMs: performance.now() - started };
        }),
      );
    });
}
