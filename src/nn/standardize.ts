import type { FloatArray } from './matrix.js';

/**
 * Per-channel standardization, the one layer behind inference batch normalization, Keras's
 * Normalization and Rescaling: y = (x − mean[c]) / std[c] · scale[c] + shift[c], each step rounded
 * to the network's precision as the frameworks compute it. `c` is the channel: the first axis of a
 * C × H × W input (each of its planes shares one channel's values), or each value of a flat one.
 * Arrays of length 1 apply to every channel.
 */
export interface StandardizeLayer {
  readonly kind: 'standardize';
  readonly mean: FloatArray;
  readonly std: FloatArray;
  readonly scale: FloatArray;
  readonly shift: FloatArray;
  /** Values per image, and values per channel (H·W; 1 for a flat input). */
  readonly size: number;
  readonly plane: number;
  /** What the layer was in the model, for the report: 'batch-norm', 'normalize' or 'rescale'. */
  readonly from: string;
}

/** Standardizes `count` images of `layer.size` values in place. */
export function standardizeInPlace(x: FloatArray, count: number, layer: StandardizeLayer): void {
  const { mean, std, scale, shift, size, plane } = layer;
  const round = x instanceof Float32Array ? Math.fround : (v: number) => v;
  const at = (values: FloatArray, c: number) => values[values.length === 1 ? 0 : c];
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < size; i++) {
      const c = Math.floor(i / plane);
      const k = n * size + i;
      x[k] = round(round(round((x[k] - at(mean, c))) / at(std, c)) * at(scale, c)) + at(shift, c);
    }
  }
}
