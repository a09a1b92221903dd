/**
 * Adler-32, the checksum at the end of a zlib stream: by the WASM kernel (SIMD) where the bytes
 * lie in its memory, else in JavaScript.
 */
import { inPieces } from './in-pieces.js';
import type { KernelExports } from '../wasm/module.js';

const BASE = 65521;
/** zlib's NMAX: the sums are reduced every this many bytes, as zlib does (its 32-bit sums could not hold more). */
const CHUNK = 5552;

/** The Adler-32 of `bytes` in JavaScript, continuing from `adler` (1 to start). */
export function adler32Js(bytes: Uint8Array, adler = 1): number {
  let s1 = adler & 0xffff;
  let s2 = adler >>> 16;
  for (let at = 0; at < bytes.length; ) {
    const end = Math.min(bytes.length, at + CHUNK);
    for (; at < end; at++) {
      s1 += bytes[at];
      s2 += s1;
    }
    s1 %= BASE;
    s2 %= BASE;
  }
  return ((s2 << 16) | s1) >>> 0;
}

/** The Adler-32 of `bytes`: by `k` when `bytes` is a view of the memory `k` runs on, else in JavaScript. */
export function adler32(bytes: Uint8Array, k?: KernelExports): number {
  if (k === undefined) return adler32Js(bytes);
  let adler = 1;
  // In pieces of 64 KiB (in-pieces.ts says why).
  inPieces(bytes.length, 65536, (start, end) => (adler = k.adler32(bytes.byteOffset + start, end - start, adler) >>> 0));
  return adler;
}
