import type { TopLevelSpec } from 'vega-lite';
import type { ClassScore } from '../types.js';

export interface PerClassSpecOptions {
  /** The overall accuracy, drawn as a dashed line; the classes below it get the warning colour. */
  overall?: number;
  title?: string;
}

/** Accuracy of each class as bars on a 0–100 % axis, each bar labelled with its percentage. */
export function perClassSpec(perClass: readonly ClassScore[], options: PerClassSpecOptions = {}): TopLevelSpec {
  const { overall } = options;
  const values = perClass.map(({ label, total, correct, accuracy }) => ({
    label,
    total,
    correct,
    accuracy,
    below: overall !== undefined && accuracy !== null && accuracy < overall,
    text: accuracy === null ? 'no images' : `${(accuracy * 100).toFixed(1)}%`,
  }));
  // x is set per layer, not shared: the overall line has no class and spans the whole width.
  const x = { field: 'label', type: 'ordinal' as const, title: 'true label', axis: { labelAngle: 0, labelFontSize: 12 } };
  const bars = {
    mark: { type: 'bar' as const, width: { band: 0.75 } },
    encoding: {
      x,
      y: { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      color: {
        field: 'below',
        type: 'nominal' as const,
        scale: { domain: [false, true], range: ['#4c78a8', '#f58518'] },
        legend: null,
      },
    },
  };
  const labels = {
    mark: { type: 'text' as const, dy: -6, baseline: 'bottom' as const, fontSize: 11 },
    encoding: {
      x,
      y: { field: 'accuracy', type: 'quantitative' as const },
      text: { field: 'text', type: 'nominal' as const },
    },
  };
  const line = overall === undefined ? [] : [{
    data: { values: [{ overall }] },
    mark: { type: 'rule' as const, strokeDash: [5, 4], color: '#555' },
    encoding: { y: { field: 'overall', type: 'quantitative' as const } },
  }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'Accuracy per class',
      ...(overall === undefined ? {} : { subtitle: `dashed line: overall ${(overall * 100).toFixed(2)}%; orange: below it` }),
    },
    width: { step: 44 },
    height: 260,
    data: { values },
    layer: [bars, labels, ...line],
  };
}
