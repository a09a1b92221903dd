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
// - e^-a (sigmoid's) takes the same steps on -a without negating it: with every sign turned
//   (the clamp, log2 e, the ln 2 parts, the odd coefficients) each rounding gives the same bits.
// The constants are read from memory once, before a loop, into registers: written as v128
// constants, V8 remakes each at every use inside the loop (a move of each half and an insert),
// which took more than half of sigmoid's time.

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

/** The 12 constants of e^x, in the order `exp` takes them. */
export const EXP = memory.data<f32>([X_MAX, X_MIN, LOG2E, MAGIC, -LN2_LO, -LN2_HI, C5, C4, C3, C2, C1, 1.0]);
/** The same for e^-a, with every sign turned. */
export const EXP_NEG = memory.data<f32>([-X_MIN, -X_MAX, -LOG2E, MAGIC, LN2_LO, LN2_HI, -C5, C4, -C3, C2, -C1, 1.0]);

/** Constant `i` of the table at `k`, in four lanes. */
// @ts-ignore: decorator
@inline
export function constant(k: usize, i: i32): v128 {
  return v128.load32_splat(k + (<usize>i << 2));
}

/**
 * e^x (with EXP's constants k0 … k11) or e^-x (with EXP_NEG's), on four floats. The callers load
 * the constants before their loops.
 */
// @ts-ignore: decorator
@inline
export function exp(x: v128, k0: v128, k1: v128, k2: v128, k3: v128, k4: v128, k5: v128, k6: v128, k7: v128, k8: v128, k9: v128, k10: v128, k11: v128): v128 {
  // pmin/pmax are x64's minps/maxps; min/max, which propagate NaN, take V8 several instructions.
  const c = f32x4.pmax(f32x4.pmin(x, k0), k1);
  const t = madd(c, k2, k3);
  const n = f32x4.sub(t, k3);
  const r = madd(n, k4, madd(n, k5, c));
  let p = madd(k6, r, k7);
  p = madd(p, r, k8);
  p = madd(p, r, k9);
  p = madd(p, r, k10);
  p = madd(p, r, k11);
  return f32x4.mul(p, i32x4.shl(t, 23));
}

/** e^x for each of `n` floats at `x` (n a multiple of 4), into `out`: what the tests check. */
export function expInto(x: usize, n: i32, out: usize): void {
  const k0 = constant(EXP, 0), k1 = constant(EXP, 1), k2 = constant(EXP, 2), k3 = constant(EXP, 3), k4 = constant(EXP, 4), k5 = constant(EXP, 5);
  const k6 = constant(EXP, 6), k7 = constant(EXP, 7), k8 = constant(EXP, 8), k9 = constant(EXP, 9), k10 = constant(EXP, 10), k11 = constant(EXP, 11);
  for (let i = 0; i < n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, exp(v128.load(x + at), k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10, k11));
  }
}
