import { mergeMap, type OperatorFunction } from 'rxjs';
import type { PredictedBatch } from './forward-pass.js';

/** A wrongly predicted image, with a view of its pixels in the batch (a collector that keeps it copies them). */
export interface Misclassified {
  readonly index: number;
  readonly label: number;
  readonly predicted: number;
  readonly confidence: number;
  readonly pixels: Uint8Array;
}

export function misclassifiedIn(batch: PredictedBatch): Misclassified[] {
  const wrong: Misclassified[] = [];
  for (let i = 0; i < batch.count; i++) {
    if (batch.predicted[i] === batch.labels[i]) continue;
    wrong.push({
      index: batch.start + i,
      label: batch.labels[i],
      predicted: batch.predicted[i],
      confidence: batch.confidence[i],
      pixels: batch.pixels.subarray(i * batch.size, (i + 1) * batch.size),
    });
  }
  return wrong;
}

/** Emits each misclassified image of each batch, in dataset order. */
export function misclassified(): OperatorFunction<PredictedBatch, Misclassified> {
  return mergeMap(misclassifiedIn);
}
