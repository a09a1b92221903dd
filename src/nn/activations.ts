import type { FloatArray } from './matrix.js';

/** Applies `f` to every element of `x`, into `out` (which may be `x` itself). */
function mapInto<A extends FloatArray>(x: FloatArray, out: A, f: (v: number) => number): A {
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
  return out;
}

function like(x: FloatArray): FloatArray {
  return x instanceof Float64Array ? new Float64Array(x.length) : new Float32Array(x.length);
}

/** 1 for x > 0, else 0 (the perceptron's activation). */
export const stepValue = (x: number): number => (x > 0 ? 1 : 0);

/**
 * 1 / (1 + e^-x). For x = -1000, e^1000 overflows to Infinity and the result is exactly 0;
 * the other spelling, e^x / (1 + e^x), would give Infinity / Infinity = NaN for large x.
 */
export const sigmoidValue = (x: number): number => 1 / (1 + Math.exp(-x));

export const reluValue = (x: number): number => (x > 0 ? x : 0);

export function tanh(x: FloatArray, out: FloatArray = like(x)): FloatArray {
  return mapInto(x, out, Math.tanh);
}

export function step(x: FloatArray, out: FloatArray = like(x)): FloatArray {
  return mapInto(x, out, stepValue);
}

export function sigmoid(x: FloatArray, out: FloatArray = like(x)): FloatArray {
  return mapInto(x, out, sigmoidValue);
}

/** Its own loop rather than `mapInto`: it runs on every value of a convnet, and a call per value costs more than the test. */
export function relu(x: FloatArray, out: FloatArray = like(x)): FloatArray {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v > 0 ? v : 0;
  }
  return out;
}

/**
 * Softmax of each row of a `rows × cols` matrix. The row maximum is subtracted first
 * (overflow countermeasure, as in the book), so large logits give no Infinity or NaN.
 * A flat array without `cols` is one row.
 */
export function softmax(x: FloatArray, cols: number = x.length, out: FloatArray = like(x)): FloatArray {
  if (cols <= 0 || x.length % cols !== 0) {
    throw new RangeError(`softmax: ${x.length} values do not split into rows of ${cols}`);
  }
  for (let row = 0; row < x.length; row += cols) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[row + j] > max) max = x[row + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[row + j] - max);
      out[row + j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) out[row + j] /= sum;
  }
  return out;
}
