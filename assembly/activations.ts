// Activations in place, and the output layer: the argmax of each row with its confidence.

import { constant, exp, EXP, EXP_NEG } from './exp';

/** Below this a sigmoid's output is flushed to 0 (its share of any next sum is far below an ulp),
 *  so no later product is subnormal (the slow path of x86's SIMD units). */
const FLUSH: f32 = 1e-30;

/** z = 1 / (1 + e^-a) on `n` floats at `a` (n a multiple of 4), in place. */
export function sigmoidInPlace(a: usize, n: i32): void {
  const k = EXP_NEG;
  const k0 = constant(k, 0), k1 = constant(k, 1), k2 = constant(k, 2), k3 = constant(k, 3), k4 = constant(k, 4), k5 = constant(k, 5);
  const k6 = constant(k, 6), k7 = constant(k, 7), k8 = constant(k, 8), k9 = constant(k, 9), k10 = constant(k, 10), one = constant(k, 11);
  const flush = f32x4.splat(FLUSH);
  for (let i = 0; i < n; i += 4) {
    const p = a + (<usize>i << 2);
    const z = f32x4.div(one, f32x4.add(one, exp(v128.load(p), k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, one)));
    v128.store(p, v128.andnot(z, f32x4.lt(z, flush)));
  }
}

/** z = max(0, a) on `n` floats at `a` (n a multiple of 4), in place. */
export function reluInPlace(a: usize, n: i32): void {
  const zero = f32x4.splat(0.0);
  for (let i = 0; i < n; i += 4) {
    const p = a + (<usize>i << 2);
    v128.store(p, f32x4.max(v128.load(p), zero));
  }
}

/** The first column of the row's largest value (numpy's argmax takes the first on ties). */
// @ts-ignore: decorator
@inline
function argmaxRow(row: usize, cols: i32): i32 {
  let best = 0;
  let top = load<f32>(row);
  for (let j = 1; j < cols; j++) {
    const v = load<f32>(row + (<usize>j << 2));
    if (v > top) {
      top = v;
      best = j;
    }
  }
  return best;
}

/**
 * Softmax's argmax and its probability, per row: softmax keeps the order of its inputs, so the
 * argmax is the logits' own, and the largest probability is e^0 / Σ e^(a_j - max) = 1 / Σ e^(a_j -
 * max) (the row maximum subtracted first: overflow countermeasure). The class goes to `predicted`
 * (i32), the probability to `confidence` (f32); the logits are left as they are.
 */
export function softmaxArgmax(y: usize, rows: i32, cols: i32, stride: i32, predicted: usize, confidence: usize): void {
  const lane = i32x4(0, 1, 2, 3);
  const width = i32x4.splat(cols);
  const k = EXP;
  const k0 = constant(k, 0), k1 = constant(k, 1), k2 = constant(k, 2), k3 = constant(k, 3), k4 = constant(k, 4), k5 = constant(k, 5);
  const k6 = constant(k, 6), k7 = constant(k, 7), k8 = constant(k, 8), k9 = constant(k, 9), k10 = constant(k, 10), k11 = constant(k, 11);
  for (let i = 0; i < rows; i++) {
    const row = y + ((<usize>i * <usize>stride) << 2);
    const best = argmaxRow(row, cols);
    const m = f32x4.splat(load<f32>(row + (<usize>best << 2)));
    let sum = f32x4.splat(0);
    for (let j = 0; j < cols; j += 4) {
      // Lanes past the last column (the row's padding) add nothing.
      const inside = i32x4.lt_s(i32x4.add(lane, i32x4.splat(j)), width);
      const e = exp(f32x4.sub(v128.load(row + (<usize>j << 2)), m), k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, k11);
      sum = f32x4.add(sum, v128.and(e, inside));
    }
    const total = f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + (f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3));
    store<i32>(predicted + (<usize>i << 2), best);
    store<f32>(confidence + (<usize>i << 2), <f32>1.0 / total);
  }
}

/** The argmax of each row without softmax (a network that ends in an affine layer or activation). */
export function argmaxRows(y: usize, rows: i32, cols: i32, stride: i32, predicted: usize, confidence: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = y + ((<usize>i * <usize>stride) << 2);
    const best = argmaxRow(row, cols);
    store<i32>(predicted + (<usize>i << 2), best);
    store<f32>(confidence + (<usize>i << 2), load<f32>(row + (<usize>best << 2)));
  }
}
