import type { TopLevelSpec } from 'vega-lite';
import { relu, sigmoid, step } from '../nn/activations.js';

/**
 * The activation functions side by side (the book's figures 3-6 to 3-9 in one chart): the values are
 * computed with the project's own `step`, `sigmoid` and `relu`, so the chart shows what the network runs.
 */

export const ACTIVATIONS = ['step', 'sigmoid', 'relu'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export interface ActivationPoint {
  x: number;
  y: number;
  activation: ActivationName;
}

/** `samples` evenly spaced x from `from` to `to` (both included), and each activation of them. */
export function activationSeries(from = -5, to = 5, samples = 1001): ActivationPoint[] {
  if (!(samples >= 2) || !(to > from)) {
    throw new RangeError(`activationSeries: expected from < to and at least 2 samples, got ${from}..${to} with ${samples}`);
  }
  const x = new Float64Array(samples);
  for (let i = 0; i < samples; i++) x[i] = from + (i * (to - from)) / (samples - 1);
  const y: Record<ActivationName, ArrayLike<number>> = { step: step(x), sigmoid: sigmoid(x), relu: relu(x) };
  return ACTIVATIONS.flatMap((activation) => Array.from(x, (xi, i) => ({ x: xi, y: y[activation][i], activation })));
}

/** A line chart of `points` with one coloured line per activation and a legend. */
export function activationsSpec(points: readonly ActivationPoint[] = activationSeries()): TopLevelSpec {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Activation functions', subtitle: 'step, sigmoid and ReLU as computed by src/nn/activations.ts' },
    width: 480,
    height: 320,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', strokeWidth: 2.5, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [Math.min(...xs), Math.max(...xs)], nice: false } },
      y: { field: 'y', type: 'quantitative', title: 'h(x)', scale: { domain: [Math.min(-0.5, ...ys), Math.max(...ys)], nice: false } },
      color: {
        field: 'activation',
        type: 'nominal',
        title: 'activation',
        scale: { domain: [...ACTIVATIONS], range: ['#4c78a8', '#f58518', '#54a24b'] },
        legend: { orient: 'top-left', fillColor: 'white', strokeColor: '#ccc', padding: 6, labelFontSize: 13, titleFontSize: 12 },
      },
      // Dashes too, so the lines stay apart in greyscale; vega-lite merges both into one legend.
      strokeDash: { field: 'activation', type: 'nominal', title: 'activation', scale: { domain: [...ACTIVATIONS], range: [[1, 0], [6, 3], [2, 2]] } },
    },
  };
}
