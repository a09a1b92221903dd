// The float64 WebAssembly SIMD kernel of a convolutional network (the book's ch. 7 SimpleConvNet,
// ch. 8 DeepConvNet, and JSON models of the same layers), in AssemblyScript: its own module,
// compiled by scripts/build.mjs into dist/convnet.wasm, run by src/kernels/wasm-convnet-kernel.ts.
//
// There is no allocator: the JavaScript side lays out the memory from `heapBase()` on (packed
// weights once, then every buffer an image and a batch need) and passes byte addresses.
//
// Precision: float64 products and float64 sums, as numpy's np.dot on the book's float64 arrays
// (dgemm); only the order of the sums differs from BLAS's, by a few units in the last place.
//
// One product does both kinds of layer: y = A·W + b, where row i of A, element k, is the f64 at
// `a + rowStarts[i] + offsets[k]` (byte offsets). A convolution reads its patches through these
// tables straight out of the (padded) image, as the book's im2col lays them out, without building
// the columns; an affine layer's tables are i·K·8 and k·8.

/** Where the JavaScript side may start laying out its buffers. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * The 0..255 pixels of one C × H × W image (`pixels`, bytes) through `table` (256 f64: the
 * float32 inputs, widened) into the middle of a C × (H + 2·pad) × (W + 2·pad) buffer whose border
 * is already zero.
 */
export function pixelsInto(pixels: usize, table: usize, C: i32, H: i32, W: i32, pad: i32, y: usize): void {
  const PW = W + 2 * pad;
  const PH = H + 2 * pad;
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < H; iy++) {
      const from = pixels + <usize>((c * H + iy) * W);
      const to = y + (<usize>((c * PH + iy + pad) * PW + pad) << 3);
      for (let ix = 0; ix < W; ix++) {
        store<f64>(to + (<usize>ix << 3), load<f64>(table + (<usize>load<u8>(from + <usize>ix) << 3)));
      }
    }
  }
}

/** A C × H × W float64 image into the middle of a zero-bordered C × (H + 2·pad) × (W + 2·pad) buffer. */
export function padInto(x: usize, C: i32, H: i32, W: i32, pad: i32, y: usize): void {
  const PW = W + 2 * pad;
  const PH = H + 2 * pad;
  const rowBytes = <usize>W << 3;
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < H; iy++) {
      memory.copy(y + (<usize>((c * PH + iy + pad) * PW + pad) << 3), x + (<usize>((c * H + iy) * W) << 3), rowBytes);
    }
  }
}

/** x > 0 ? x : 0 on each of `n` f64 (NaN and -0 give +0, as the JavaScript kernel's ReLU). */
export function reluInPlace(a: usize, n: i32): void {
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const at = a + (<usize>i << 3);
    const v = v128.load(at);
    v128.store(at, v128.and(v, f64x2.gt(v, zero)));
  }
  for (; i < n; i++) {
    const at = a + (<usize>i << 3);
    const v = load<f64>(at);
    store<f64>(at, v > 0 ? v : 0);
  }
}

/** a[i] ·= scale on each of `n` f64: the book's Dropout at inference. */
export function scaleInPlace(a: usize, n: i32, scale: f64): void {
  for (let i = 0; i < n; i++) {
    const at = a + (<usize>i << 3);
    store<f64>(at, load<f64>(at) * scale);
  }
}

/** ReLU of two lanes: x > 0 ? x : 0. */
// @ts-ignore: decorator
@inline function relu2(v: v128): v128 {
  return v128.and(v, f64x2.gt(v, f64x2.splat(0)));
}

/**
 * y = A·W + b (then the ReLU if `relu`), 4 rows of A by 4 columns of W at a time: 8 f64x2 sums in
 * registers, each value of A and of W loaded once per tile and used 4 times.
 *
 * W is packed in panels of 4 columns (`panelCount` of them, the last padded with zero columns):
 * panel p, row k is the 4 f64 at `panels + (p·K + k)·32`, its bias the 4 f64 at `bias + p·32`.
 *
 * A tile first gathers its 4 rows' values step by step, keeping only the steps k where one of them
 * is nonzero (`values`, 4 f64 a step; `steps`, the byte offset k·32 into a panel): an MNIST image
 * is 80% zeros and so is much of what a ReLU gives, and a zero product changes no sum (sums start
 * at +0). Sums run over k in increasing order, and the bias is added last.
 *
 * Output (i, j) goes to `y + i·rowStride + j·colStride` (bytes). With `pool`, rows come 4 to a 2 × 2
 * window and each window gives one output row, the largest of its 4 values (after the ReLU, if
 * asked): wasm's f64x2.max is Math.max (NaN wins, +0 above -0), and over ReLU'd values it is the
 * JavaScript kernel's max(relu(v0), …, relu(v3)).
 */
export function product(
  a: usize, rowStarts: usize, rows: i32, offsets: usize, K: i32,
  panels: usize, panelCount: i32, bias: usize, cols: i32,
  y: usize, rowStride: i32, colStride: i32, pool: i32, relu: i32,
  values: usize, steps: usize,
): void {
  const panelBytes = <usize>K << 5;
  for (let i = 0; i < rows; i += 4) {
    const n = min(4, rows - i);
    // A tile of fewer than 4 rows repeats its first row, and does not store the repeats.
    const r0 = a + <usize>load<i32>(rowStarts + (<usize>i << 2));
    const r1 = n > 1 ? a + <usize>load<i32>(rowStarts + (<usize>(i + 1) << 2)) : r0;
    const r2 = n > 2 ? a + <usize>load<i32>(rowStarts + (<usize>(i + 2) << 2)) : r0;
    const r3 = n > 3 ? a + <usize>load<i32>(rowStarts + (<usize>(i + 3) << 2)) : r0;
    let m = 0;
    for (let k = 0; k < K; k++) {
      const o = <usize>load<i32>(offsets + (<usize>k << 2));
      const a0 = load<f64>(r0 + o);
      const a1 = load<f64>(r1 + o);
      const a2 = load<f64>(r2 + o);
      const a3 = load<f64>(r3 + o);
      // Written always, kept (m advanced) only if a value is nonzero: no branch to mispredict.
      const v = values + (<usize>m << 5);
      store<f64>(v, a0);
      store<f64>(v, a1, 8);
      store<f64>(v, a2, 16);
      store<f64>(v, a3, 24);
      store<i32>(steps + (<usize>m << 2), k << 5);
      m += i32((a0 != 0) | (a1 != 0) | (a2 != 0) | (a3 != 0));
    }
    const outRow = pool ? i >> 2 : i;
    for (let p = 0; p < panelCount; p++) {
      const panel = panels + <usize>p * panelBytes;
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0);
      let s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0), s21 = f64x2.splat(0);
      let s30 = f64x2.splat(0), s31 = f64x2.splat(0);
      for (let t = 0; t < m; t++) {
        const w = panel + <usize>load<i32>(steps + (<usize>t << 2));
        const w0 = v128.load(w);
        const w1 = v128.load(w, 16);
        const v = values + (<usize>t << 5);
        let x = v128.load64_splat(v);
        s00 = f64x2.add(s00, f64x2.mul(x, w0));
        s01 = f64x2.add(s01, f64x2.mul(x, w1));
        x = v128.load64_splat(v, 8);
        s10 = f64x2.add(s10, f64x2.mul(x, w0));
        s11 = f64x2.add(s11, f64x2.mul(x, w1));
        x = v128.load64_splat(v, 16);
        s20 = f64x2.add(s20, f64x2.mul(x, w0));
        s21 = f64x2.add(s21, f64x2.mul(x, w1));
        x = v128.load64_splat(v, 24);
        s30 = f64x2.add(s30, f64x2.mul(x, w0));
        s31 = f64x2.add(s31, f64x2.mul(x, w1));
      }
      const b0 = v128.load(bias + (<usize>p << 5));
      const b1 = v128.load(bias + (<usize>p << 5), 16);
      s00 = f64x2.add(s00, b0); s01 = f64x2.add(s01, b1);
      s10 = f64x2.add(s10, b0); s11 = f64x2.add(s11, b1);
      s20 = f64x2.add(s20, b0); s21 = f64x2.add(s21, b1);
      s30 = f64x2.add(s30, b0); s31 = f64x2.add(s31, b1);
      if (relu) {
        s00 = relu2(s00); s01 = relu2(s01);
        s10 = relu2(s10); s11 = relu2(s11);
        s20 = relu2(s20); s21 = relu2(s21);
        s30 = relu2(s30); s31 = relu2(s31);
      }
      const j = p << 2;
      const width = min(4, cols - j);
      if (pool) {
        const m0 = f64x2.max(f64x2.max(s00, s10), f64x2.max(s20, s30));
        const m1 = f64x2.max(f64x2.max(s01, s11), f64x2.max(s21, s31));
        storeRow(y + <usize>(outRow * rowStride + j * colStride), colStride, width, m0, m1);
      } else {
        const at = y + <usize>(outRow * rowStride + j * colStride);
        storeRow(at, colStride, width, s00, s01);
        if (n > 1) storeRow(at + <usize>rowStride, colStride, width, s10, s11);
        if (n > 2) storeRow(at + <usize>(2 * rowStride), colStride, width, s20, s21);
        if (n > 3) storeRow(at + <usize>(3 * rowStride), colStride, width, s30, s31);
      }
    }
  }
}

/** The first `width` (1..4) of the 4 lanes of (v0, v1), `colStride` bytes apart. */
// @ts-ignore: decorator
@inline function storeRow(at: usize, colStride: i32, width: i32, v0: v128, v1: v128): void {
  const c = <usize>colStride;
  store<f64>(at, f64x2.extract_lane(v0, 0));
  if (width > 1) store<f64>(at + c, f64x2.extract_lane(v0, 1));
  if (width > 2) store<f64>(at + 2 * c, f64x2.extract_lane(v1, 0));
  if (width > 3) store<f64>(at + 3 * c, f64x2.extract_lane(v1, 1));
}
