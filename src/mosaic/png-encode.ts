/**
 * The mosaic's PNG encoder: 8-bit RGB (colour type 2) from an RGBA buffer whose alpha is always
 * opaque and so dropped, every row but the first with the Up filter (computed by the WASM module,
 * SIMD), then deflated, with CRCs by zlib. The mosaic is mostly flat background and repeated tile
 * frames, which Up turns into zeros; so one fixed filter does as well as an adaptive one (pngjs
 * tries five per row, in JavaScript) at a fraction of the time, and gives a smaller file.
 *
 * The rows are deflated in segments joined into one zlib stream, as pigz does: each segment a raw
 * deflate ending on a byte boundary (Z_SYNC_FLUSH; the last with Z_FINISH), behind one zlib header
 * and before the Adler-32 of all the rows. `encodeMosaicPngAsync` deflates the segments on libuv's
 * threadpool, side by side, while the main thread goes on; `encodeMosaicPng` deflates the same
 * segments in turn, so both give the same bytes. Benchmarks: bench/README.md.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { adler32 } from './adler32.js';
import { inPieces } from './in-pieces.js';
import { instanceOf, pngRowBytes, wasmCanvasOf } from './mosaic-canvas.js';
import { align16, type KernelExports } from '../wasm/module.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** CMF 0x78 (deflate, 32 KiB window), FLG 0x9c (the default level; a multiple of 31 with CMF). */
const ZLIB_HEADER = Buffer.from([0x78, 0x9c]);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

const FILTER_UP = 2;

/** Filtered rows and the kernel that can checksum them where they lie. */
interface Rows {
  readonly bytes: Uint8Array;
  readonly k?: KernelExports;
}

/**
 * The scanlines by the WASM kernel (SIMD), or undefined without it: a view of the instance's
 * memory, which nothing else holds, so the deflate can read it in place. A canvas drawn in that
 * memory (mosaic-canvas.ts) is filtered where it lies; any other image is copied in first.
 */
function rowsInWasm(width: number, height: number, rgba: Uint8Array): Rows | undefined {
  const bytes = pngRowBytes(width, height);
  const canvas = wasmCanvasOf(rgba);
  if (canvas !== undefined) {
    filterInWasm(canvas.k, rgba.byteOffset, width, height, canvas.rowsAt);
    return { bytes: new Uint8Array(canvas.memory.buffer, canvas.rowsAt, bytes), k: canvas.k };
  }
  const instance = instanceOf(align16(rgba.length) + bytes);
  if (instance === undefined) return undefined;
  const { k, memory, base } = instance;
  const out = base + align16(rgba.length);
  new Uint8Array(memory.buffer, base, rgba.length).set(rgba);
  filterInWasm(k, base, width, height, out);
  return { bytes: new Uint8Array(memory.buffer, out, bytes), k };
}

/** Rows filtered by `k` in pieces of some 64 KiB (in-pieces.ts says why). */
function filterInWasm(k: KernelExports, rgba: number, width: number, height: number, out: number): void {
  inPieces(height, Math.max(1, Math.floor(65536 / (width * 3 + 1))), (from, to) => k.pngRowsRgbUp(rgba, width, from, to, out));
}

/** The scanlines in JavaScript: the same bytes, more slowly (the loop runs once, cold, so it is not optimised). */
function rowsByJs(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const row = width * 4;
  const raw = new Uint8Array(pngRowBytes(width, height));
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
  return (js ? undefined : rowsInWasm(width, height, rgba)?.bytes.slice()) ?? rowsByJs(width, height, rgba);
}

/** An RGBA image: `width × height` pixels, 4 bytes each, row-major. A mosaic is one. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface PngOptions {
  /** How many segments the rows are deflated in (at most one per row). Default: `defaultSegments`. */
  readonly segments?: number;
}

/** Below this many bytes of rows, one segment: a thread's hand-off would cost more than it saves. */
const MIN_SPLIT_BYTES = 256 * 1024;

/** Two segments, one per core of a small machine, for images of a quarter MiB of rows or more; else one. */
export const defaultSegments = (width: number, height: number): number => (height >= 2 && pngRowBytes(width, height) >= MIN_SPLIT_BYTES ? 2 : 1);

/** Where each segment of rows starts and ends, in bytes: `segments` runs of whole rows, as even as rows allow. */
export function segmentBounds(width: number, height: number, segments: number): Array<[number, number]> {
  const rowBytes = width * 3 + 1;
  return Array.from({ length: segments }, (_, i) => [Math.floor((height * i) / segments) * rowBytes, Math.floor((height * (i + 1)) / segments) * rowBytes]);
}

/** The image checked, its rows filtered and checksummed, and the segments to deflate. */
interface Prepared {
  readonly header: Buffer;
  readonly segments: Uint8Array[];
  readonly adler: number;
}

function prepare(image: RgbaImage, options: PngOptions, caller: string): Prepared {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) {
    throw new RangeError(`${caller}: image data size does not match width/height, expected ${width * height * 4}, got ${data.length}`);
  }
  const count = options.segments ?? defaultSegments(width, height);
  if (!Number.isInteger(count) || count < 1 || count > Math.max(1, height)) {
    throw new RangeError(`${caller}: segments must be an integer from 1 to the image's height (${height}), got ${count}`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  // The rows deflated where the WASM kernel wrote them: a mosaic's rows are megabytes, and a copy
  // of them cost as much as a tenth of the deflate.
  const inWasm = rowsInWasm(width, height, data);
  const rows = inWasm?.bytes ?? rowsByJs(width, height, data);
  const segments = segmentBounds(width, height, count).map(([start, end]) => rows.subarray(start, end));
  return { header, segments, adler: adler32(rows, inWasm?.k) };
}

/** Segment `i` of `count`: all but the last end on a byte boundary, unfinished (Z_SYNC_FLUSH). */
function deflateOptions(i: number, count: number): zlib.ZlibOptions {
  // Run-length matching only: the filtered mosaic is long runs of zeros, which it packs as small as
  // level 3 does, and faster.
  return { strategy: zlib.constants.Z_RLE, finishFlush: i === count - 1 ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH };
}

function assemble({ header, adler }: Prepared, deflated: readonly Uint8Array[]): Buffer {
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler, 0);
  const idat = Buffer.concat([ZLIB_HEADER, ...deflated, trailer]);
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/**
 * `image` as an 8-bit RGB PNG file: the alpha is dropped, so decoding gives back exactly
 * `image.data` where every alpha is 255, as in a mosaic. The same bytes as `encodeMosaicPngAsync`.
 */
export function encodeMosaicPng(image: RgbaImage, options: PngOptions = {}): Buffer {
  const prepared = prepare(image, options, 'encodeMosaicPng');
  const { segments } = prepared;
  return assemble(prepared, segments.map((segment, i) => zlib.deflateRawSync(segment, deflateOptions(i, segments.length))));
}

const deflateRaw = promisify(zlib.deflateRaw);

/**
 * `encodeMosaicPng`, with the deflate on libuv's threadpool (the segments at the same time). The
 * rows are filtered before it returns: the image may change once it has.
 */
export function encodeMosaicPngAsync(image: RgbaImage, options: PngOptions = {}): Promise<Buffer> {
  const prepared = prepare(image, options, 'encodeMosaicPngAsync');
  const { segments } = prepared;
  return Promise.all(segments.map((segment, i) => deflateRaw(segment, deflateOptions(i, segments.length)))).then((deflated) => assemble(prepared, deflated));
}
