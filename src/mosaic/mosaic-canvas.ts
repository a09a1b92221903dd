/**
 * The canvas a mosaic is drawn on, and where its digits are drawn: in the WASM module's memory
 * where the module loads (the digits drawn there in one call, and the PNG's rows filtered and
 * checksummed there without a copy of the canvas, png-encode.ts), else an ordinary buffer with
 * the digits drawn in JavaScript (digit-painter.ts).
 */
import { digitPainter } from './digit-painter.js';
import { inPieces } from './in-pieces.js';
import { align16, KERNEL_MEMORY_BYTES, kernelInstance, type KernelExports } from '../wasm/module.js';

/** A digit image to draw: its top-left corner and its `rows × cols` grays. */
export interface DigitPlace {
  readonly x: number;
  readonly y: number;
  readonly pixels: Uint8Array;
}

export interface MosaicCanvas {
  /** RGBA, `width × height × 4` bytes, zeroed. */
  readonly data: Uint8Array;
  /** Draws the digits (nearest-neighbour upscale by `scale`), whose rectangles the caller has filled with `BLACK`. */
  paintDigits(digits: readonly DigitPlace[]): void;
}

/** A canvas in the module's memory, and the room after it for the PNG's filtered rows. */
export interface WasmCanvas {
  readonly k: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly rowsAt: number;
}

/** Canvases drawn in WASM memory, by their memory's buffer (one canvas to an instance). */
const wasmCanvases = new WeakMap<ArrayBufferLike, WasmCanvas & { readonly base: number }>();

/** The WASM instance holding `data`, if `data` is the whole of a canvas made here. */
export function wasmCanvasOf(data: Uint8Array): WasmCanvas | undefined {
  const found = wasmCanvases.get(data.buffer);
  return found !== undefined && found.base === data.byteOffset && found.rowsAt - found.base >= data.length ? found : undefined;
}

/** The PNG's scanlines of an RGB image `width × height`: a filter byte and 3 bytes a pixel, each row. */
export const pngRowBytes = (width: number, height: number): number => (width * 3 + 1) * height;

/**
 * A zeroed `width × height` canvas for `digits.count` digits of `rows × cols` at `scale`: in WASM memory, laid out
 * as the canvas, then the room for the PNG's rows, which first holds the digits' grays, corners
 * and shuffle masks while they are drawn; `js` (or a module that does not load) gives the JavaScript one.
 */
export function createCanvas(width: number, height: number, digits: { readonly count: number; readonly rows: number; readonly cols: number; readonly scale: number }, js = false): MosaicCanvas {
  const { rows, cols, scale } = digits;
  const canvasBytes = align16(width * height * 4);
  const digitBytes = align16(digits.count * rows * cols) + align16(digits.count * 8) + 16 * scale;
  const instance = js ? undefined : instanceOf(canvasBytes + Math.max(align16(pngRowBytes(width, height)), digitBytes));
  if (instance === undefined) return jsCanvas(width, height, rows, cols, scale);
  const { k, memory, base } = instance;
  const rowsAt = base + canvasBytes;
  const data = new Uint8Array(memory.buffer, base, width * height * 4);
  wasmCanvases.set(memory.buffer, { k, memory, base, rowsAt });
  return {
    data,
    paintDigits(placed) {
      const tiles = new Uint8Array(memory.buffer, rowsAt, placed.length * rows * cols);
      const corners = new Int32Array(memory.buffer, rowsAt + align16(tiles.length), placed.length * 2);
      placed.forEach(({ x, y, pixels }, i) => {
        tiles.set(pixels, i * rows * cols);
        corners[2 * i] = x;
        corners[2 * i + 1] = y;
      });
      const masks = corners.byteOffset + align16(corners.byteLength);
      // In pieces of 8 digits (in-pieces.ts says why).
      inPieces(placed.length, 8, (start, end) => {
        k.paintDigits(base, width, rowsAt + start * rows * cols, end - start, rows, cols, scale, corners.byteOffset + start * 8, masks);
      });
    },
  };
}

/** A kernel instance with `bytes` free from its base, or undefined where the module does not load or its memory cannot hold them. */
export function instanceOf(bytes: number): ReturnType<typeof kernelInstance> | undefined {
  // The module's own area is below its base (a 64 KiB page, kernelInstance).
  if (bytes > KERNEL_MEMORY_BYTES - 65536) return undefined;
  try {
    const instance = kernelInstance(bytes);
    return instance.memory.buffer.byteLength >= instance.base + bytes ? instance : undefined;
  } catch {
    return undefined;
  }
}

function jsCanvas(width: number, height: number, rows: number, cols: number, scale: number): MosaicCanvas {
  const data = new Uint8Array(width * height * 4);
  // A fresh buffer is aligned, so the painters can write 32-bit pixels.
  const data32 = new Uint32Array(data.buffer, data.byteOffset, width * height);
  return {
    data,
    paintDigits(placed) {
      const draw = digitPainter(data32, width, rows, cols, scale);
      for (const { x, y, pixels } of placed) draw(x, y, pixels);
    },
  };
}
