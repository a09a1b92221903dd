/**
 * The mosaic's PNG encoder: 8-bit RGB (colour type 2) from an RGBA buffer whose alpha is always
 * opaque and so dropped, every row but the first with the Up filter (computed by the WASM module,
 * SIMD), then deflated, with CRCs by zlib. The mosaic is mostly flat background and repeated tile
 * frames, which Up turns into zeros; so one fixed filter does as well as an adaptive one (pngjs
 * tries five per row, in JavaScript) at a fraction of the time, and gives a smaller file.
 * Benchmarks: bench/README.md.
 */
import * as zlib from 'node:zlib';
import { align16, kernelInstance } from '../wasm/module.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

const FILTER_UP = 2;

/**
 * The scanlines by the WASM kernel (SIMD), or undefined without it: a view of the instance's
 * memory, which nothing else holds, so the deflate can read it in place.
 */
function rowsInWasm(width: number, height: number, rgba: Uint8Array): Uint8Array | undefined {
  const bytes = (width * 3 + 1) * height;
  let instance: ReturnType<typeof kernelInstance>;
  try {
    instance = kernelInstance(align16(rgba.length) + bytes);
  } catch {
    return undefined;
  }
  const { k, memory, base } = instance;
  const out = base + align16(rgba.length);
  new Uint8Array(memory.buffer, base, rgba.length).set(rgba);
  k.pngRowsRgbUp(base, width, height, out);
  return new Uint8Array(memory.buffer, out, bytes);
}

/** The scanlines in JavaScript: the same bytes, more slowly (the loop runs once, cold, so it is not optimised). */
function rowsByJs(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const row = width * 4;
  const raw = new Uint8Array((width * 3 + 1) * height);
  for (let y = 0, o = 0, i = 0; y < height; y++) {
    raw[o++] = y === 0 ? 0 : FILTER_UP;
    if (y === 0) {
      for (let x = 0; x < width; x++, i += 4) {
        raw[o++] = rgba[i];
        raw[o++] = rgba[i + 1];
        raw[o++] = rgba[i + 2];
      }
    } else {
      for (let x = 0; x < width; x++, i += 4) {
        raw[o++] = rgba[i] - rgba[i - row];
        raw[o++] = rgba[i + 1] - rgba[i + 1 - row];
        raw[o++] = rgba[i + 2] - rgba[i + 2 - row];
      }
    }
  }
  return raw;
}

/**
 * The PNG scanlines of `rgba`: RGB, filter Up (0 on the first row). `js` forces the JavaScript
 * path. The WASM path's rows are copied out of its shared memory, so that whoever holds them has
 * an ordinary buffer.
 */
export function pngRows(width: number, height: number, rgba: Uint8Array, js = false): Uint8Array {
  return (js ? undefined : rowsInWasm(width, height, rgba)?.slice()) ?? rowsByJs(width, height, rgba);
}

/** An RGBA image: `width × height` pixels, 4 bytes each, row-major. A mosaic is one. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * `image` as an 8-bit RGB PNG file: the alpha is dropped, so decoding gives back exactly
 * `image.data` where every alpha is 255, as in a mosaic.
 */
export function encodeMosaicPng(image: RgbaImage): Buffer {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) {
    throw new RangeError(
      `encodeMosaicPng: image data size does not match width/height, expected ${width * height * 4}, got ${data.length}`,
    );
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  // Run-length matching only: the filtered mosaic is long runs of zeros, which it packs as small as
  // level 3 does, and faster.
  // The rows deflated where the WASM kernel wrote them: a mosaic's rows are megabytes, and a copy
  // of them cost as much as a tenth of the deflate.
  const rows = rowsInWasm(width, height, data) ?? rowsByJs(width, height, data);
  const idat = zlib.deflateSync(rows, { strategy: zlib.constants.Z_RLE });
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}
