import { mergeMap, type OperatorFunction } from 'rxjs';
import type { Misclassified, PredictedBatch } from '../types.js';

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
