/** The scores of an evaluation worked out from its counts, and the text summary printed on a terminal. */
import type { ClassScore, Evaluation } from '../types.js';

export function accuracyOf(evaluation: Pick<Evaluation, 'correct' | 'total'>): number {
  return evaluation.total === 0 ? 0 : evaluation.correct / evaluation.total;
}

/** The largest count on the diagonal (images right) and off it (a mistake), for shading a matrix on two scales. */
export function confusionPeaks(confusion: readonly (readonly number[])[]): { readonly correct: number; readonly error: number } {
  let correct = 0;
  let error = 0;
  confusion.forEach((row, label) =>
    row.forEach((count, predicted) => {
      if (label === predicted) correct = Math.max(correct, count);
      else error = Math.max(error, count);
    }),
  );
  return { correct, error };
}

/** Each true label's row of `confusion` (`confusion[t][p]`) as a score; a class with no images has accuracy null. */
export function perClass(confusion: readonly (readonly number[])[]): ClassScore[] {
  return confusion.map((row, label) => {
    const total = row.reduce((sum, n) => sum + n, 0);
    const correct = row[label];
    return { label, total, correct, accuracy: total === 0 ? null : correct / total };
  });
}

/**
 * The human summary printed on a terminal: accuracy, then the confusion matrix. With class names,
 * each row starts with its class's number and name, and the columns keep the numbers.
 */
export function formatSummary(report: {
  readonly accuracy: number;
  readonly correct: number;
  readonly total: number;
  readonly confusion: readonly (readonly number[])[];
  readonly classes?: readonly string[];
}): string {
  // Every cell holds a count (at most the total) or an accuracy ('1.000'), and one space before it.
  const width = Math.max('1.000'.length, String(report.total).length) + 1;
  const cell = (v: string | number) => String(v).padStart(width);
  const { classes: names } = report;
  const rowNames = names?.map((name, t) => `${t} ${name}`);
  // Names are left-aligned in a column as wide as the longest (counted in characters).
  const nameWidth = rowNames === undefined ? 0 : Math.max(...rowNames.map((name) => Array.from(name).length));
  const rowHead = (t: number | ''): string =>
    rowNames === undefined ? cell(t) : (t === '' ? '' : rowNames[t]) + ' '.repeat(nameWidth - (t === '' ? 0 : Array.from(rowNames[t]).length));
  const classes = report.confusion.length;
  const scores = perClass(report.confusion);
  const lines = [
    `accuracy ${report.accuracy.toFixed(4)} (${report.correct} of ${report.total} correct, ${report.total - report.correct} misclassified)`,
    '',
    `confusion (rows: true label, columns: predicted)`,
    rowHead('') + Array.from({ length: classes }, (_, p) => cell(p)).join('') + cell('acc'),
    ...report.confusion.map((row, t) => {
      const { accuracy } = scores[t];
      return rowHead(t) + row.map(cell).join('') + cell(accuracy === null ? '-' : accuracy.toFixed(3));
    }),
  ];
  return lines.join('\n');
}
