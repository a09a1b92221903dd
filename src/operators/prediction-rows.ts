import { map, type OperatorFunction } from 'rxjs';
import type { PredictedBatch } from '../types.js';

export const PREDICTIONS_HEADER = 'index,label,predicted,confidence\n';

/** The CSV rows of one batch: `index,label,predicted,confidence`, one line per image. */
export function predictionRows(): OperatorFunction<PredictedBatch, string> {
  return map((batch) => {
    let rows = '';
    for (let i = 0; i < batch.count; i++) {
      rows += `${batch.start + i},${batch.labels[i]},${batch.predicted[i]},${batch.confidence[i].toFixed(6)}\n`;
    }
    return rows;
  });
}
