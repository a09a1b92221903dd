// WebAssembly SIMD kernels for the forward pass of an MLP, in float32 (AssemblyScript).
//
// Compiled at install time by scripts/build.mjs (`node scripts/build.mjs kernels`; asc --enable simd)
// into dist/kernels.wasm.
// There is no allocator: the JavaScript side (src/kernels/wasm-kernel.ts) lays out the memory from
// `heapBase()` on (weights once, then the layer buffers) and passes byte addresses.
//
// Layout: a matrix of `cols` columns is stored with a row stride of `stride` floats, where
// `stride` is `cols` rounded up to a multiple of 4, so every row starts on a 16-byte boundary and
// holds whole f32x4 vectors. Padding lanes of weights and biases are zero.
//
// Precision: float32 everywhere, as numpy computes `np.dot(x, W1) + b1` on float32 arrays
// (OpenBLAS sgemm): products and sums are rounded to float32. The bias is added after the dot
// product, as numpy does.

/** Where the JavaScript side may start laying out its buffers. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

// ---- exp ---------------------------------------------------------------------------------------
// e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln 2 / 2; e^r by the Cephes expf polynomial
// (relative error about 1 ulp). 2^n is applied in two halves so that n may run from -126 to 128.
// Past the float32 range the result is Infinity (x > 88.72, as numpy) or 0 (x < -87.34, where
// numpy would give a subnormal: flushing them keeps later layers off the slow subnormal path).

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_MAX: f32 = 88.72283935546875;
const EXP_MIN: f32 = -87.33654022216797;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

// @ts-ignore: decorator
@inline
function expV(x: v128): v128 {
  const over = f32x4.gt(x, f32x4.splat(EXP_MAX));
  const under = f32x4.lt(x, f32x4.splat(EXP_MIN));
  const c = f32x4.max(f32x4.min(x, f32x4.splat(EXP_MAX)), f32x4.splat(EXP_MIN));
  const n = f32x4.nearest(f32x4.mul(c, f32x4.splat(LOG2E)));
  let r = f32x4.sub(c, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(P0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  const r2 = f32x4.mul(r, r);
  const er = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1.0));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1);
  const twoHalf = i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  const twoRest = i32x4.shl(i32x4.add(i32x4.sub(ni, half), i32x4.splat(127)), 23);
  const e = f32x4.mul(f32x4.mul(er, twoHalf), twoRest);
  return v128.andnot(v128.bitselect(f32x4.splat(Infinity), e, over), under);
}

/** The same steps on one float, so that a lane and a scalar agree bit for bit. */
// @ts-ignore: decorator
@inline
function expS(x: f32): f32 {
  if (x > EXP_MAX) return Infinity;
  if (x < EXP_MIN) return 0;
  const n = nearest(x * LOG2E);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  let p = P0;
  p = p * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  const er = p * (r * r) + r + 1.0;
  const ni = <i32>n;
  const half = ni >> 1;
  return er * reinterpret<f32>((half + 127) << 23) * reinterpret<f32>((ni - half + 127) << 23);
}

// ---- activations -------------------------------------------------------------------------------

/**
 * z = 1 / (1 + e^-a) on `n` floats at `a` (n a multiple of 4), in place. For a < -87.3 the result
 * would be subnormal (below 1.2e-38); it is flushed to 0, so the next layer skips it.
 */
export function sigmoidInPlace(a: usize, n: i32): void {
  const one = f32x4.splat(1.0);
  const tiny = f32x4.splat(1.17549435e-38);
  for (let i = 0; i < n; i += 4) {
    const p = a + (<usize>i << 2);
    const z = f32x4.div(one, f32x4.add(one, expV(f32x4.neg(v128.load(p)))));
    v128.store(p, v128.andnot(z, f32x4.lt(z, tiny)));
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

// ---- affine ------------------------------------------------------------------------------------
// y = x·W + b, one row of x at a time. The nonzero inputs of the row are first gathered into a
// list of (offset of W's row k in bytes, x_k) pairs; each pair then adds x_k · W[k, :] to the
// row's accumulators, which the column loop keeps in registers, 8, 4, 2 or 1 vectors at a time
// (more than 8 spill in V8's code). Skipping x_k = 0 changes no sum.

// @ts-ignore: decorator
@inline
function accumulateRow(nz: usize, count: i32, W: usize, stride: i32, b: usize, y: usize): void {
  const end = nz + (<usize>count << 3);
  let j = 0;
  for (; j + 32 <= stride; j += 32) {
    const Wj = W + (<usize>j << 2);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0), a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    for (let q = nz; q < end; q += 8) {
      const w = Wj + <usize>load<u32>(q);
      const xk = f32x4.splat(load<f32>(q, 4));
      a0 = f32x4.add(a0, f32x4.mul(xk, v128.load(w, 0)));
      a1 = f32x4.add(a1, f32x4.mul(xk, v128.load(w, 16)));
      a2 = f32x4.add(a2, f32x4.mul(xk, v128.load(w, 32)));
      a3 = f32x4.add(a3, f32x4.mul(xk, v128.load(w, 48)));
      a4 = f32x4.add(a4, f32x4.mul(xk, v128.load(w, 64)));
      a5 = f32x4.add(a5, f32x4.mul(xk, v128.load(w, 80)));
      a6 = f32x4.add(a6, f32x4.mul(xk, v128.load(w, 96)));
      a7 = f32x4.add(a7, f32x4.mul(xk, v128.load(w, 112)));
    }
    const bj = b + (<usize>j << 2);
    const yj = y + (<usize>j << 2);
    v128.store(yj, f32x4.add(a0, v128.load(bj, 0)), 0);
    v128.store(yj, f32x4.add(a1, v128.load(bj, 16)), 16);
    v128.store(yj, f32x4.add(a2, v128.load(bj, 32)), 32);
    v128.store(yj, f32x4.add(a3, v128.load(bj, 48)), 48);
    v128.store(yj, f32x4.add(a4, v128.load(bj, 64)), 64);
    v128.store(yj, f32x4.add(a5, v128.load(bj, 80)), 80);
    v128.store(yj, f32x4.add(a6, v128.load(bj, 96)), 96);
    v128.store(yj, f32x4.add(a7, v128.load(bj, 112)), 112);
  }
  for (; j + 16 <= stride; j += 16) {
    const Wj = W + (<usize>j << 2);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let q = nz; q < end; q += 8) {
      const w = Wj + <usize>load<u32>(q);
      const xk = f32x4.splat(load<f32>(q, 4));
      a0 = f32x4.add(a0, f32x4.mul(xk, v128.load(w, 0)));
      a1 = f32x4.add(a1, f32x4.mul(xk, v128.load(w, 16)));
      a2 = f32x4.add(a2, f32x4.mul(xk, v128.load(w, 32)));
      a3 = f32x4.add(a3, f32x4.mul(xk, v128.load(w, 48)));
    }
    const bj = b + (<usize>j << 2);
    const yj = y + (<usize>j << 2);
    v128.store(yj, f32x4.add(a0, v128.load(bj, 0)), 0);
    v128.store(yj, f32x4.add(a1, v128.load(bj, 16)), 16);
    v128.store(yj, f32x4.add(a2, v128.load(bj, 32)), 32);
    v128.store(yj, f32x4.add(a3, v128.load(bj, 48)), 48);
  }
  for (; j + 8 <= stride; j += 8) {
    const Wj = W + (<usize>j << 2);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    for (let q = nz; q < end; q += 8) {
      const w = Wj + <usize>load<u32>(q);
      const xk = f32x4.splat(load<f32>(q, 4));
      a0 = f32x4.add(a0, f32x4.mul(xk, v128.load(w, 0)));
      a1 = f32x4.add(a1, f32x4.mul(xk, v128.load(w, 16)));
    }
    const bj = b + (<usize>j << 2);
    const yj = y + (<usize>j << 2);
    v128.store(yj, f32x4.add(a0, v128.load(bj, 0)), 0);
    v128.store(yj, f32x4.add(a1, v128.load(bj, 16)), 16);
  }
  for (; j + 4 <= stride; j += 4) {
    const Wj = W + (<usize>j << 2);
    let a0 = f32x4.splat(0);
    for (let q = nz; q < end; q += 8) {
      const w = Wj + <usize>load<u32>(q);
      const xk = f32x4.splat(load<f32>(q, 4));
      a0 = f32x4.add(a0, f32x4.mul(xk, v128.load(w, 0)));
    }
    const bj = b + (<usize>j << 2);
    const yj = y + (<usize>j << 2);
    v128.store(yj, f32x4.add(a0, v128.load(bj, 0)), 0);
  }
}

/**
 * The first layer, straight from the pixels: x_ik = table[pixel] (256 floats, filled by the caller), y = x·W + b.
 * `x` holds `rows × inner` bytes; W is `inner × stride`; `nz` is scratch for `inner` pairs. Zero
 * pixels (80% of MNIST) are found 16 at a time and skipped.
 */
export function affinePixels(x: usize, rows: i32, inner: i32, table: usize, W: usize, b: usize, y: usize, stride: i32, nz: usize): void {
  const blocks = inner & ~15;
  const rowBytes = <u32>stride << 2;
  for (let i = 0; i < rows; i++) {
    const xRow = x + <usize>i * <usize>inner;
    let q = nz;
    for (let k = 0; k < blocks; k += 16) {
      let mask = i8x16.bitmask(i8x16.ne(v128.load(xRow + k), i8x16.splat(0)));
      while (mask != 0) {
        const kk = k + ctz(mask);
        mask &= mask - 1;
        store<u32>(q, <u32>kk * rowBytes);
        store<f32>(q, load<f32>(table + (<usize>load<u8>(xRow + kk) << 2)), 4);
        q += 8;
      }
    }
    for (let k = blocks; k < inner; k++) {
      const p = load<u8>(xRow + k);
      if (p == 0) continue;
      store<u32>(q, <u32>k * rowBytes);
      store<f32>(q, load<f32>(table + (<usize>p << 2)), 4);
      q += 8;
    }
    accumulateRow(nz, <i32>((q - nz) >> 3), W, stride, b, y + ((<usize>i * <usize>stride) << 2));
  }
}

/**
 * y = x·W + b on float32 rows: x is `rows × inner` with row stride `xStride`, W is
 * `inner × stride`, y is `rows × stride`; `nz` is scratch for `inner` (k, x_k) pairs.
 */
export function affine(x: usize, rows: i32, inner: i32, xStride: i32, W: usize, b: usize, y: usize, stride: i32, nz: usize): void {
  const rowBytes = <u32>stride << 2;
  for (let i = 0; i < rows; i++) {
    const xRow = x + ((<usize>i * <usize>xStride) << 2);
    let q = nz;
    for (let k = 0; k < inner; k++) {
      const v = load<f32>(xRow + (<usize>k << 2));
      if (v == 0) continue;
      store<u32>(q, <u32>k * rowBytes);
      store<f32>(q, v, 4);
      q += 8;
    }
    accumulateRow(nz, <i32>((q - nz) >> 3), W, stride, b, y + ((<usize>i * <usize>stride) << 2));
  }
}

// ---- output ------------------------------------------------------------------------------------

/**
 * Softmax of each row (the row maximum subtracted first: overflow countermeasure), in place,
 * then the argmax of the probabilities (the first on ties, as numpy) into `predicted` (i32) and
 * its probability into `confidence` (f32).
 */
export function softmaxArgmax(y: usize, rows: i32, cols: i32, stride: i32, predicted: usize, confidence: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = y + ((<usize>i * <usize>stride) << 2);
    let m = load<f32>(row);
    for (let j = 1; j < cols; j++) m = max(m, load<f32>(row + (<usize>j << 2)));
    let sum: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const p = row + (<usize>j << 2);
      const e = expS(load<f32>(p) - m);
      store<f32>(p, e);
      sum += e;
    }
    let best = 0;
    let top: f32 = -Infinity;
    for (let j = 0; j < cols; j++) {
      const p = row + (<usize>j << 2);
      const v = load<f32>(p) / sum;
      store<f32>(p, v);
      if (v > top) {
        top = v;
        best = j;
      }
    }
    store<i32>(predicted + (<usize>i << 2), best);
    store<f32>(confidence + (<usize>i << 2), top);
  }
}

/** The argmax of each row without softmax (a network that ends in an affine layer or activation). */
export function argmaxRows(y: usize, rows: i32, cols: i32, stride: i32, predicted: usize, confidence: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = y + ((<usize>i * <usize>stride) << 2);
    let best = 0;
    let top = load<f32>(row);
    for (let j = 1; j < cols; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      if (v > top) {
        top = v;
        best = j;
      }
    }
    store<i32>(predicted + (<usize>i << 2), best);
    store<f32>(confidence + (<usize>i << 2), top);
  }
}

// ---- image -------------------------------------------------------------------------------------

/**
 * The scanlines of an RGB PNG from RGBA pixels (alpha dropped): each row a filter byte, then its
 * bytes less those of the row above (PNG filter 2, Up; the first row unfiltered, filter 0).
 * `rgba` is `width × height × 4` bytes; `out` receives `(width × 3 + 1) × height` bytes. Four
 * pixels at a time: one shuffle packs 16 RGBA bytes into 12 RGB bytes.
 */
export function pngRowsRgbUp(rgba: usize, width: i32, height: i32, out: usize): void {
  const rowIn = <usize>width << 2;
  const rowOut = <usize>width * 3 + 1;
  const quads = width >> 2;
  for (let y = 0; y < height; y++) {
    const src = rgba + <usize>y * rowIn;
    const dst = out + <usize>y * rowOut;
    store<u8>(dst, y == 0 ? 0 : 2);
    let o = dst + 1;
    let i = src;
    for (let q = 0; q < quads; q++) {
      let v = v128.load(i);
      if (y > 0) v = i8x16.sub(v, v128.load(i - rowIn));
      const rgb = i8x16.shuffle(v, v, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15, 15, 15, 15);
      v128.store64_lane(o, rgb, 0);
      v128.store32_lane(o, rgb, 2, 8);
      o += 12;
      i += 16;
    }
    for (let x = quads << 2; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const p = i + c;
        store<u8>(o + c, y == 0 ? load<u8>(p) : <u8>(load<u8>(p) - load<u8>(p - rowIn)));
      }
      o += 3;
      i += 4;
    }
  }
}
