// The dense layers, y = x·W + b on float32 rows, in register tiles of 4 rows × 2 vectors: for
// each k, two vectors of W's row k are loaded once and used by four rows of x, eight sums kept in
// registers. Wider tiles (4 × 3, 3 × 3) measured slower here in the plain build: V8 spills their
// sums, with the temporaries a multiply then an add need. Columns left over go 4 rows × 1
// vector, rows left over (a short last batch, a helper thread's share) 1 row × 1 vector. Each
// output is the same sum, over k in order, whichever tile computes it, so how the rows are split
// (threads) changes no bit.

import { madd } from './simd';

/** Rows i .. i + 4 of y, `V` vectors (1 or 2) from column vector j (the addresses are at j). */
// @ts-ignore: decorator
@inline
function tile4(V: i32, x: usize, xRowBytes: usize, inner: i32, W: usize, rowBytes: usize, b: usize, y: usize): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
  let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
  let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  const x1 = x + xRowBytes, x2 = x1 + xRowBytes, x3 = x2 + xRowBytes;
  const end = <usize>inner << 2;
  let w = W;
  for (let k: usize = 0; k < end; k += 4) {
    const w0 = v128.load(w, 0);
    const w1 = V > 1 ? v128.load(w, 16) : w0;
    let s = v128.load32_splat(x + k);
    a00 = madd(s, w0, a00);
    if (V > 1) a01 = madd(s, w1, a01);
    s = v128.load32_splat(x1 + k);
    a10 = madd(s, w0, a10);
    if (V > 1) a11 = madd(s, w1, a11);
    s = v128.load32_splat(x2 + k);
    a20 = madd(s, w0, a20);
    if (V > 1) a21 = madd(s, w1, a21);
    s = v128.load32_splat(x3 + k);
    a30 = madd(s, w0, a30);
    if (V > 1) a31 = madd(s, w1, a31);
    w += rowBytes;
  }
  const b0 = v128.load(b, 0);
  const y1 = y + rowBytes, y2 = y1 + rowBytes, y3 = y2 + rowBytes;
  v128.store(y, f32x4.add(a00, b0), 0);
  v128.store(y1, f32x4.add(a10, b0), 0);
  v128.store(y2, f32x4.add(a20, b0), 0);
  v128.store(y3, f32x4.add(a30, b0), 0);
  if (V > 1) {
    const b1 = v128.load(b, 16);
    v128.store(y, f32x4.add(a01, b1), 16);
    v128.store(y1, f32x4.add(a11, b1), 16);
    v128.store(y2, f32x4.add(a21, b1), 16);
    v128.store(y3, f32x4.add(a31, b1), 16);
  }
}

/** One row × one vector. */
// @ts-ignore: decorator
@inline
function tile1(x: usize, inner: i32, W: usize, rowBytes: usize, b: usize, y: usize): void {
  let a = f32x4.splat(0);
  let w = W;
  const end = x + (<usize>inner << 2);
  for (let xk = x; xk < end; xk += 4) {
    a = madd(v128.load32_splat(xk), v128.load(w), a);
    w += rowBytes;
  }
  v128.store(y, f32x4.add(a, v128.load(b)));
}

/**
 * y = x·W + b: x is `rows × inner` with a row stride of `xStride` floats, W is `inner × stride`,
 * b `stride` and y `rows × stride` floats (stride a multiple of 4).
 */
export function affine(x: usize, rows: i32, inner: i32, xStride: i32, W: usize, b: usize, y: usize, stride: i32): void {
  const xRowBytes = <usize>xStride << 2;
  const rowBytes = <usize>stride << 2;
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const xi = x + <usize>i * xRowBytes;
    const yi = y + <usize>i * rowBytes;
    let j = 0;
    for (; j + 8 <= stride; j += 8) {
      const at = <usize>j << 2;
      tile4(2, xi, xRowBytes, inner, W + at, rowBytes, b + at, yi + at);
    }
    if (j < stride) {
      const at = <usize>j << 2;
      tile4(1, xi, xRowBytes, inner, W + at, rowBytes, b + at, yi + at);
    }
  }
  for (; i < rows; i++) {
    const xi = x + <usize>i * xRowBytes;
    const yi = y + <usize>i * rowBytes;
    for (let j = 0; j < stride; j += 4) {
      const at = <usize>j << 2;
      tile1(xi, inner, W + at, rowBytes, b + at, yi + at);
    }
  }
}
