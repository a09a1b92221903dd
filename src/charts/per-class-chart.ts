import type { TopLevelSpec } from 'vega-lite';
import type { ClassScore } from '../types.js';

export interface PerClassSpecOptions {
  /** The overall accuracy, drawn as a dashed line; the classes below it get the warning colour. */
  overall?: number;
  title?: string;
  /** The names of the classes 0, 1, …, written under the bars in place of the numbers. */
  classes?: readonly string[];
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
    ...(options.classes === undefined ? {} : { name: options.classes[label] ?? String(label) }),
  }));
  // x is set per layer, not shared: the overall line has no class and spans the whole width.
  const x = options.classes === undefined
    ? { field: 'label', type: 'ordinal' as const, title: 'true label', axis: { labelAngle: 0, labelFontSize: 12 } }
    // Names in class order (sort), slanted when one is longer than a bar is wide.
    : { field: 'name', type: 'ordinal' as const, title: 'true class', sort: values.map((v) => v.name as string), axis: { labelAngle: nameAngle(options.classes, 7), labelFontSize: 12, labelLimit: 160 } };
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

/** Axis labels upright while every name fits in `chars` characters, else slanted. */
export function nameAngle(names: readonly string[], chars: number): number {
  return names.every((name) => name.length <= chars) ? 0 : -40;
}
