// The first layer, y = x·W + b straight from the pixels, skipping the zero pixels (80% of MNIST).
//
// Per image: the nonzero pixels are found 64 at a time (i8x16 compares, their bitmasks, then
// ctz over the mask, one step per nonzero pixel instead of a branch per pixel) and gathered into
// a list of (byte offset of W's row k, x_k) pairs. The row's outputs are summed in register
// blocks of at most 8 vectors (more spill in V8's code), the blocks as even as the width allows:
// the book's 50 outputs (13 vectors) are 7 + 6, the first summed while the list is gathered, the
// second over the list.
// Skipping x_k = 0 changes no sum; the sums run over k in order, as the dense layers'.

import { madd } from './simd';

/** Most vectors one block keeps in registers. */
const MAX_BLOCK = 8;

/** Adds x_k · W[k, j0 .. j0 + 4·N) for every pair, in N registers, then the bias; stores y. */
// @ts-ignore: decorator
@inline
function block(N: i32, nz: usize, end: usize, Wj: usize, bj: usize, yj: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  for (let q = nz; q < end; q += 8) {
    const w = Wj + <usize>load<u32>(q);
    const xk = v128.load32_splat(q, 4);
    a0 = madd(xk, v128.load(w, 0), a0);
    if (N > 1) a1 = madd(xk, v128.load(w, 16), a1);
    if (N > 2) a2 = madd(xk, v128.load(w, 32), a2);
    if (N > 3) a3 = madd(xk, v128.load(w, 48), a3);
    if (N > 4) a4 = madd(xk, v128.load(w, 64), a4);
    if (N > 5) a5 = madd(xk, v128.load(w, 80), a5);
    if (N > 6) a6 = madd(xk, v128.load(w, 96), a6);
    if (N > 7) a7 = madd(xk, v128.load(w, 112), a7);
  }
  v128.store(yj, f32x4.add(a0, v128.load(bj, 0)), 0);
  if (N > 1) v128.store(yj, f32x4.add(a1, v128.load(bj, 16)), 16);
  if (N > 2) v128.store(yj, f32x4.add(a2, v128.load(bj, 32)), 32);
  if (N > 3) v128.store(yj, f32x4.add(a3, v128.load(bj, 48)), 48);
  if (N > 4) v128.store(yj, f32x4.add(a4, v128.load(bj, 64)), 64);
  if (N > 5) v128.store(yj, f32x4.add(a5, v128.load(bj, 80)), 80);
  if (N > 6) v128.store(yj, f32x4.add(a6, v128.load(bj, 96)), 96);
  if (N > 7) v128.store(yj, f32x4.add(a7, v128.load(bj, 112)), 112);
}

/** One block of `n` vectors (1..8), each width its own code so that its sums stay in registers. */
function blockOf(n: i32, nz: usize, end: usize, Wj: usize, bj: usize, yj: usize): void {
  switch (n) {
    case 1: block(1, nz, end, Wj, bj, yj); break;
    case 2: block(2, nz, end, Wj, bj, yj); break;
    case 3: block(3, nz, end, Wj, bj, yj); break;
    case 4: block(4, nz, end, Wj, bj, yj); break;
    case 5: block(5, nz, end, Wj, bj, yj); break;
    case 6: block(6, nz, end, Wj, bj, yj); break;
    case 7: block(7, nz, end, Wj, bj, yj); break;
    default: block(8, nz, end, Wj, bj, yj); break;
  }
}

/**
 * Gathers row `xRow`'s nonzero pixels as (offset of W's row, table[pixel]) pairs at `nz`, and
 * sums the first block of outputs (N vectors) on the way, one pass over the list fewer; stores
 * that block of y and returns the list's end. The nonzero pixels are found 64 at a time: four
 * i8x16 compares make one 64-bit mask, and ctz walks its set bits (a loop exit per 64 pixels
 * rather than a branch per pixel). Reads up to 63 bytes past the row's end.
 */
// @ts-ignore: decorator
@inline
function gatherFirst(N: i32, xRow: usize, inner: i32, table: usize, W: usize, rowBytes: u32, b: usize, y: usize, nz: usize): usize {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  const zero = i8x16.splat(0);
  let q = nz;
  for (let k = 0; k < inner; k += 64) {
    const at = xRow + k;
    let mask = <u64>i8x16.bitmask(i8x16.ne(v128.load(at), zero))
      | (<u64>i8x16.bitmask(i8x16.ne(v128.load(at, 16), zero)) << 16)
      | (<u64>i8x16.bitmask(i8x16.ne(v128.load(at, 32), zero)) << 32)
      | (<u64>i8x16.bitmask(i8x16.ne(v128.load(at, 48), zero)) << 48);
    // The last chunk reads past the row (the next image, or the slack the caller keeps after
    // the batch): those bits are dropped.
    const left = inner - k;
    mask &= select<u64>(~(<u64>0), (<u64>1 << <u64>left) - 1, left >= 64);
    while (mask != 0) {
      const kk = k + <i32>ctz(mask);
      mask &= mask - 1;
      const offset = <u32>kk * rowBytes;
      const x = load<f32>(table + (<usize>load<u8>(xRow + kk) << 2));
      store<u32>(q, offset);
      store<f32>(q, x, 4);
      q += 8;
      const w = W + <usize>offset;
      const xk = f32x4.splat(x);
      a0 = madd(xk, v128.load(w, 0), a0);
      if (N > 1) a1 = madd(xk, v128.load(w, 16), a1);
      if (N > 2) a2 = madd(xk, v128.load(w, 32), a2);
      if (N > 3) a3 = madd(xk, v128.load(w, 48), a3);
      if (N > 4) a4 = madd(xk, v128.load(w, 64), a4);
      if (N > 5) a5 = madd(xk, v128.load(w, 80), a5);
      if (N > 6) a6 = madd(xk, v128.load(w, 96), a6);
      if (N > 7) a7 = madd(xk, v128.load(w, 112), a7);
    }
  }
  v128.store(y, f32x4.add(a0, v128.load(b, 0)), 0);
  if (N > 1) v128.store(y, f32x4.add(a1, v128.load(b, 16)), 16);
  if (N > 2) v128.store(y, f32x4.add(a2, v128.load(b, 32)), 32);
  if (N > 3) v128.store(y, f32x4.add(a3, v128.load(b, 48)), 48);
  if (N > 4) v128.store(y, f32x4.add(a4, v128.load(b, 64)), 64);
  if (N > 5) v128.store(y, f32x4.add(a5, v128.load(b, 80)), 80);
  if (N > 6) v128.store(y, f32x4.add(a6, v128.load(b, 96)), 96);
  if (N > 7) v128.store(y, f32x4.add(a7, v128.load(b, 112)), 112);
  return q;
}

/** `gatherFirst` with a first block of `n` vectors (1..8), each width its own code. */
function gatherFirstOf(n: i32, xRow: usize, inner: i32, table: usize, W: usize, rowBytes: u32, b: usize, y: usize, nz: usize): usize {
  switch (n) {
    case 1: return gatherFirst(1, xRow, inner, table, W, rowBytes, b, y, nz);
    case 2: return gatherFirst(2, xRow, inner, table, W, rowBytes, b, y, nz);
    case 3: return gatherFirst(3, xRow, inner, table, W, rowBytes, b, y, nz);
    case 4: return gatherFirst(4, xRow, inner, table, W, rowBytes, b, y, nz);
    case 5: return gatherFirst(5, xRow, inner, table, W, rowBytes, b, y, nz);
    case 6: return gatherFirst(6, xRow, inner, table, W, rowBytes, b, y, nz);
    case 7: return gatherFirst(7, xRow, inner, table, W, rowBytes, b, y, nz);
    default: return gatherFirst(8, xRow, inner, table, W, rowBytes, b, y, nz);
  }
}

/**
 * x_ik = table[pixel] (256 floats, filled by the caller, table[0] = 0), y = x·W + b. `x` holds
 * `rows × inner` bytes, and 64 bytes after them must be memory too (their values are not used);
 * W is `inner × stride`, y `rows × stride` floats; `nz` is scratch for `inner` pairs.
 */
export function affinePixels(x: usize, rows: i32, inner: i32, table: usize, W: usize, b: usize, y: usize, stride: i32, nz: usize): void {
  const rowBytes = <u32>stride << 2;
  const vectors = stride >> 2;
  const blocks = (vectors + MAX_BLOCK - 1) / MAX_BLOCK;
  const base = vectors / blocks;
  const wider = vectors % blocks; // the first `wider` blocks take one vector more
  for (let i = 0; i < rows; i++) {
    const yRow = y + ((<usize>i * <usize>stride) << 2);
    let j = base + (wider > 0 ? 1 : 0);
    const end = gatherFirstOf(j, x + <usize>i * <usize>inner, inner, table, W, rowBytes, b, yRow, nz);
    for (let n = 1; n < blocks; n++) {
      const width = base + (n < wider ? 1 : 0);
      const at = <usize>j << 4;
      blockOf(width, nz, end, W + at, b + at, yRow + at);
      j += width;
    }
  }
}
