import { defer, reduce, type Observable, type OperatorFunction } from 'rxjs';
import type { Evaluation, PredictedBatch } from '../types.js';

export function emptyEvaluation(classes: number): Evaluation {
  return { total: 0, correct: 0, confusion: Array.from({ length: classes }, () => new Array<number>(classes).fill(0)), forwardMs: 0 };
}

/** Adds one batch's predictions to the counts (mutates and returns `evaluation`'s confusion). */
function addBatch(evaluation: Evaluation, batch: PredictedBatch): Evaluation {
  let correct = 0;
  for (let i = 0; i < batch.count; i++) {
    const t = batch.labels[i];
    const p = batch.predicted[i];
    evaluation.confusion[t][p]++;
    if (t === p) correct++;
  }
  return {
    total: evaluation.total + batch.count,
    correct: evaluation.correct + correct,
    confusion: evaluation.confusion,
    forwardMs: evaluation.forwardMs + batch.forwardMs,
  };
}

/** Reduces predicted batches to an Evaluation; the counts are created per subscription. */
export function score(classes: number): OperatorFunction<PredictedBatch, Evaluation> {
  return (source: Observable<PredictedBatch>) => defer(() => source.pipe(reduce(addBatch, emptyEvaluation(classes))));
}
