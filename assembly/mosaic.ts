// The error mosaic's digits and the PNG's checksum (src/mosaic/), in the same module as the kernels.

/**
 * Draws `count` digit images of `rows × cols` gray bytes (`tiles`, one after another) into an
 * RGBA canvas `width` pixels wide, each scaled `scale` times (nearest neighbour): gray v becomes
 * the pixel (v, v, v, 255). `places` holds an (x, y) pair of i32 per tile, its top-left corner;
 * `masks` is room for `16 × scale` bytes. Each source row is written once, four grays at a time
 * spread over 4 × scale pixels by byte shuffles, and copied to the other scale − 1 canvas rows.
 */
export function paintDigits(canvas: usize, width: i32, tiles: usize, count: i32, rows: i32, cols: i32, scale: i32, places: usize, masks: usize): void {
  // Vector j of a group's 4 × scale pixels: pixel q of it shows gray (4j + q) / scale of the
  // group, its r, g and b bytes; a lane index of 0x80 gives 0, where the alpha is OR-ed in.
  for (let j = 0; j < scale; j++) {
    for (let q = 0; q < 4; q++) {
      const gray = <u8>((4 * j + q) / scale);
      const lane = masks + (<usize>j << 4) + (<usize>q << 2);
      store<u8>(lane, gray);
      store<u8>(lane, gray, 1);
      store<u8>(lane, gray, 2);
      store<u8>(lane, 0x80, 3);
    }
  }
  const alpha = i32x4.splat(0xff000000);
  const stride = <usize>width << 2;
  const rowBytes = (<usize>cols * <usize>scale) << 2;
  const tileBytes = <usize>rows * <usize>cols;
  const groups = cols >> 2;
  for (let t = 0; t < count; t++) {
    const x = <usize>load<i32>(places + (<usize>t << 3));
    const y = <usize>load<i32>(places + (<usize>t << 3), 4);
    const pixels = tiles + <usize>t * tileBytes;
    for (let r = 0; r < rows; r++) {
      const start = canvas + (y + <usize>r * <usize>scale) * stride + (x << 2);
      let src = pixels + <usize>r * <usize>cols;
      let at = start;
      for (let g = 0; g < groups; g++) {
        const grays = v128.load32_zero(src);
        for (let j = 0; j < scale; j++) {
          v128.store(at, v128.or(i8x16.swizzle(grays, v128.load(masks + (<usize>j << 4))), alpha));
          at += 16;
        }
        src += 4;
      }
      for (let c = groups << 2; c < cols; c++) {
        const v = <u32>load<u8>(src++);
        const pixel = v | (v << 8) | (v << 16) | 0xff000000;
        for (let s = 0; s < scale; s++) {
          store<u32>(at, pixel);
          at += 4;
        }
      }
      for (let dy = 1; dy < scale; dy++) memory.copy(start + <usize>dy * stride, start, rowBytes);
    }
  }
}

const ADLER_BASE: u64 = 65521;
/** zlib's NMAX: the most bytes summed before the sums must be reduced (a multiple of 16: 347 blocks). */
const ADLER_CHUNK: i32 = 5552;

/**
 * The Adler-32 of `length` bytes at `data`, continuing from `adler` (1 to start): what a zlib
 * stream's trailer holds. Sixteen bytes at a time: s1 gains their sum, s2 gains 16 × s1 before
 * them plus each byte weighted by how many of the block's sums it is part of (16 for the first,
 * 1 for the last).
 */
export function adler32(data: usize, length: i32, adler: u32): u32 {
  let s1: u64 = <u64>(adler & 0xffff);
  let s2: u64 = <u64>(adler >>> 16);
  const firstHalf = i16x8(16, 15, 14, 13, 12, 11, 10, 9);
  const secondHalf = i16x8(8, 7, 6, 5, 4, 3, 2, 1);
  let at = data;
  let left = length;
  while (left >= 16) {
    const blocks = min(left, ADLER_CHUNK) >> 4;
    let sums = i32x4.splat(0); // s1's gain so far, in four lanes
    let sumsBefore = i32x4.splat(0); // the total of `sums` before each block
    let weighted = i32x4.splat(0);
    for (let b = 0; b < blocks; b++) {
      const v = v128.load(at);
      sumsBefore = i32x4.add(sumsBefore, sums);
      const low = i16x8.extend_low_i8x16_u(v);
      const high = i16x8.extend_high_i8x16_u(v);
      sums = i32x4.add(sums, i32x4.extadd_pairwise_i16x8_u(i16x8.add(low, high)));
      weighted = i32x4.add(weighted, i32x4.add(i32x4.dot_i16x8_s(low, firstHalf), i32x4.dot_i16x8_s(high, secondHalf)));
      at += 16;
    }
    s2 += s1 * <u64>(blocks << 4) + (laneSum(sumsBefore) << 4) + laneSum(weighted);
    s1 += laneSum(sums);
    s1 %= ADLER_BASE;
    s2 %= ADLER_BASE;
    left -= blocks << 4;
  }
  for (; left > 0; left--) {
    s1 += <u64>load<u8>(at++);
    s2 += s1;
  }
  s1 %= ADLER_BASE;
  s2 %= ADLER_BASE;
  return <u32>((s2 << 16) | s1);
}

function laneSum(v: v128): u64 {
  return <u64><u32>i32x4.extract_lane(v, 0) + <u64><u32>i32x4.extract_lane(v, 1) + <u64><u32>i32x4.extract_lane(v, 2) + <u64><u32>i32x4.extract_lane(v, 3);
}
