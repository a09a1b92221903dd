/**
 * A network small enough to work out by hand: 2×2 images, a sigmoid layer of 3 and a softmax of
 * 3 classes, with the obvious math beside it (float64, the input rounded to float32 as the source
 * does), and seven samples whose predictions follow from their brightest corner.
 */
import { inferMlp } from '../../src/model/infer-mlp.js';
import type { Network } from '../../src/nn/network.js';
import type { Batch, Sample } from '../../src/types.js';
import type { WeightArrays } from '../../src/weights/nd-array.js';

export const SIZE = 4;
export const CLASSES = 3;

/** W1 (4 × 3): pixel 0 votes for class 0, pixel 1 for class 1, pixels 2 and 3 for class 2. */
const W1 = [
  [8, 0, 0],
  [0, 8, 0],
  [0, 0, 4],
  [0, 0, 4],
];
const b1 = [0, 0.5, -0.5];
/** W2 (3 × 3): 6 × the identity. */
const W2 = [
  [6, 0, 0],
  [0, 6, 0],
  [0, 0, 6],
];
const b2 = [0, 0, 0];

const f32 = (rows: number[][] | number[]) => {
  const flat = rows.flat();
  const shape = Array.isArray(rows[0]) ? [rows.length, (rows[0] as number[]).length] : [rows.length];
  return { shape, dtype: 'float32' as const, data: Float32Array.from(flat) };
};

export function tinyNetwork(): Network {
  const arrays: WeightArrays = new Map([['W1', f32(W1)], ['b1', f32(b1)], ['W2', f32(W2)], ['b2', f32(b2)]]);
  return inferMlp(arrays, 'tiny.pkl', { inputSize: SIZE });
}

/** y for one image, the slow way: a1 = x·W1 + b1, z1 = sigmoid(a1), a2 = z1·W2 + b2, y = softmax(a2). */
export function obviousOutput(pixels: ArrayLike<number>, normalize = true): number[] {
  const x = Array.from(pixels, (p) => (normalize ? Math.fround(p / 255) : p));
  const affine = (input: number[], W: number[][], b: number[]) => b.map((bj, j) => input.reduce((sum, xk, k) => sum + xk * W[k][j], 0) + bj);
  const z1 = affine(x, W1, b1).map((a) => 1 / (1 + Math.exp(-a)));
  const a2 = affine(z1, W2, b2);
  const max = Math.max(...a2); // overflow countermeasure
  const e = a2.map((a) => Math.exp(a - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

export const argmax = (y: readonly number[]): number => y.reduce((best, v, j) => (v > y[best] ? j : best), 0);

/** Seven 2×2 images; predicted 0, 1, 2, 1, 0, 1, 1, and labelled so that images 3, 4 and 6 are wrong. */
export const PIXELS: readonly (readonly number[])[] = [
  [255, 0, 0, 0],
  [0, 255, 0, 0],
  [0, 0, 255, 255],
  [0, 0, 0, 0],
  [200, 0, 0, 255],
  [0, 128, 128, 0],
  [60, 60, 60, 60],
];
export const LABELS: readonly number[] = [0, 1, 2, 2, 1, 1, 0];
export const PREDICTED: readonly number[] = [0, 1, 2, 1, 0, 1, 1];

/** The samples as a source emits them (`pixels` a view into one shared buffer, as the file reader's are). */
export function tinySamples(): Sample[] {
  const shared = Uint8Array.from(PIXELS.flat());
  return PIXELS.map((_, index) => ({ index, pixels: shared.subarray(index * SIZE, (index + 1) * SIZE), label: LABELS[index] }));
}

/** Batches of `batchSize` of the samples (the last one smaller). */
export function tinyBatches(batchSize: number): Batch[] {
  const batches: Batch[] = [];
  for (let start = 0; start < PIXELS.length; start += batchSize) {
    const count = Math.min(batchSize, PIXELS.length - start);
    batches.push({
      start,
      count,
      size: SIZE,
      pixels: Uint8Array.from(PIXELS.slice(start, start + count).flat()),
      labels: Uint8Array.from(LABELS.slice(start, start + count)),
    });
  }
  return batches;
}
