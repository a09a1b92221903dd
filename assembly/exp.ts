// e^x on four floats, cheaply: e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln 2 / 2.
// - n is rounded by adding a magic number, 1.5 · 2^23 + 127: at that size a float's ulp is 1, so
//   the sum is rounded to a whole number, and its low mantissa bits hold n + 127 (the exponent
//   bias), which one shift left by 23 turns into the bits of 2^n.
// - x is clamped first to [-87, 88], so that n + 127 stays in 1..254 (a normal 2^n); beyond that
//   range the callers need no more: sigmoid flushes what is below 1e-30 to 0, and softmax adds
//   e^(a - max) ≤ 1 to a sum ≥ 1.
// - r = x - n · ln 2 in two steps (ln 2 split in a short high part, exact times n, and the rest).
// - e^r by a degree-5 polynomial 1 + c1·r + … + c5·r^5 fitted to e^r on [-ln 2 / 2, ln 2 / 2]
//   for least relative error (iteratively weighted least squares at Chebyshev nodes): 1.7e-7
//   relative in float32 Horner, against 6e-8 for a float32's half ulp (test/kernels/ checks it
//   against Math.exp). Its constant term is exactly 1, so e^0 = 1 as softmax's top term needs.

import { madd } from './simd';

const LOG2E: f32 = 1.44269504088896341;
const MAGIC: f32 = 12583039.0; // 1.5 · 2^23 + 127
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const X_MIN: f32 = -87.0;
const X_MAX: f32 = 88.0;
const C1: f32 = 0.9999997019767761;
const C2: f32 = 0.4999915063381195;
const C3: f32 = 0.1666763573884964;
const C4: f32 = 0.04189793020486832;
const C5: f32 = 0.008290308527648449;

// @ts-ignore: decorator
@inline
export function expV(x: v128): v128 {
  // pmin/pmax are x64's minps/maxps; min/max, which propagate NaN, take V8 several instructions.
  const c = f32x4.pmax(f32x4.pmin(x, f32x4.splat(X_MAX)), f32x4.splat(X_MIN));
  const t = madd(c, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
  const n = f32x4.sub(t, f32x4.splat(MAGIC));
  const r = madd(n, f32x4.splat(-LN2_LO), madd(n, f32x4.splat(-LN2_HI), c));
  let p = madd(f32x4.splat(C5), r, f32x4.splat(C4));
  p = madd(p, r, f32x4.splat(C3));
  p = madd(p, r, f32x4.splat(C2));
  p = madd(p, r, f32x4.splat(C1));
  p = madd(p, r, f32x4.splat(1.0));
  return f32x4.mul(p, i32x4.shl(t, 23));
}

/**
 * e^-a, the same steps as expV(-a) on the negated values (each rounding is symmetric, so the
 * bits are expV's), without the negation: the polynomial in r' = -r has alternating signs.
 */
// @ts-ignore: decorator
@inline
export function expNegV(a: v128): v128 {
  const c = f32x4.pmax(f32x4.pmin(a, f32x4.splat(-X_MIN)), f32x4.splat(-X_MAX));
  const t = madd(c, f32x4.splat(-LOG2E), f32x4.splat(MAGIC));
  const n = f32x4.sub(t, f32x4.splat(MAGIC));
  const r = madd(n, f32x4.splat(LN2_LO), madd(n, f32x4.splat(LN2_HI), c));
  let p = madd(f32x4.splat(-C5), r, f32x4.splat(C4));
  p = madd(p, r, f32x4.splat(-C3));
  p = madd(p, r, f32x4.splat(C2));
  p = madd(p, r, f32x4.splat(-C1));
  p = madd(p, r, f32x4.splat(1.0));
  return f32x4.mul(p, i32x4.shl(t, 23));
}

/** e^x for each of `n` floats at `x` (n a multiple of 4), into `out`: what the tests check. */
export function expInto(x: usize, n: i32, out: usize): void {
  for (let i = 0; i < n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, expV(v128.load(x + at)));
  }
}
