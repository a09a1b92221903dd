import type { TopLevelSpec } from 'vega-lite';
import { confusionPeaks } from '../report/summary.js';
import { nameAngle } from './per-class-chart.js';

/**
 * The confusion matrix as a heatmap with the count written in every cell; rows are the true label
 * `t`, columns the prediction. The diagonal (correct) and the errors get separate colour scales:
 * with one scale, the ~1000 on the diagonal would wash the errors, tens at most, out to white.
 */

export interface ConfusionCell {
  /** True label (row). */
  label: number;
  /** Predicted class (column). */
  predicted: number;
  count: number;
  correct: boolean;
  /** The cell is dark enough on its scale that its count is written in white. */
  dark: boolean;
}

/** One cell per (label, predicted) pair, row by row. Throws unless `confusion` is square. */
export function confusionCells(confusion: readonly (readonly number[])[]): ConfusionCell[] {
  const classes = confusion.length;
  confusion.forEach((row, label) => {
    if (row.length !== classes) {
      throw new RangeError(`confusion matrix: row ${label} has ${row.length} columns, expected ${classes} (a square matrix)`);
    }
  });
  const peaks = confusionPeaks(confusion);
  return confusion.flatMap((row, label) =>
    row.map((count, predicted) => {
      const correct = label === predicted;
      const max = correct ? peaks.correct : peaks.error;
      return { label, predicted, count, correct, dark: count > 0 && count >= 0.55 * max };
    }),
  );
}

export interface ConfusionSpecOptions {
  /** Side of a cell in pixels. Default 38, which fits a 4-digit count. */
  cell?: number;
  title?: string;
  /** The names of the classes 0, 1, … on the axes, in place of the numbers. */
  classes?: readonly string[];
}

export function confusionSpec(confusion: readonly (readonly number[])[], options: ConfusionSpecOptions = {}): TopLevelSpec {
  const cells = confusionCells(confusion);
  const max = (correct: boolean): number => Math.max(1, ...cells.filter((c) => c.correct === correct).map((c) => c.count));
  const step = options.cell ?? 38;
  const names = options.classes;
  const legend = { format: 'd', gradientLength: Math.max(60, (step * confusion.length) / 2 - 40) };
  const axis = { labelAngle: 0, labelFontSize: 12, titleFontSize: 12, domain: false, ticks: false };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title ?? 'Confusion matrix', subtitle: 'rows: true label, columns: predicted' },
    width: { step },
    height: { step },
    data: { values: cells.map((c) => (names === undefined ? { ...c } : { ...c, labelName: names[c.label], predictedName: names[c.predicted] })) },
    encoding: names === undefined
      ? {
        x: { field: 'predicted', type: 'ordinal', title: 'predicted', axis: { ...axis, orient: 'top' } },
        y: { field: 'label', type: 'ordinal', title: 'true label', axis },
      }
      : {
        x: { field: 'predictedName', type: 'ordinal', title: 'predicted', sort: [...names], axis: { ...axis, orient: 'top', labelAngle: nameAngle(names, 5), labelLimit: 160 } },
        y: { field: 'labelName', type: 'ordinal', title: 'true class', sort: [...names], axis: { ...axis, labelLimit: 160 } },
      },
    layer: [
      {
        transform: [{ filter: 'datum.correct' }],
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: { field: 'count', type: 'quantitative', title: 'correct', scale: { scheme: 'greens', domain: [0, max(true)] }, legend },
        },
      },
      {
        transform: [{ filter: '!datum.correct && datum.count > 0' }], // empty cells stay white
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: { field: 'count', type: 'quantitative', title: 'errors', scale: { scheme: 'oranges', domain: [0, max(false)] }, legend },
        },
      },
      {
        mark: { type: 'text', fontSize: step >= 34 ? 11 : 9 },
        encoding: {
          text: { field: 'count', type: 'quantitative', format: 'd' },
          color: { condition: [{ test: 'datum.count === 0', value: '#b0b0b0' }, { test: 'datum.dark', value: 'white' }], value: 'black' },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}
