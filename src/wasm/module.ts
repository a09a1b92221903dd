/**
 * The project's WebAssembly module (assembly/kernels.ts, compiled into dist/kernels.wasm by
 * scripts/build.mjs): loading it once per thread and instantiating it over a fresh shared
 * memory. The forward kernels (kernels/) and the PNG encoder (mosaic/) each make their own
 * instance; neither sees the other's.
 */
import { readFileSync } from 'node:fs';

export interface KernelExports {
  heapBase(): number;
  affinePixels(x: number, rows: number, inner: number, table: number, W: number, b: number, y: number, stride: number, nz: number): void;
  affine(x: number, rows: number, inner: number, xStride: number, W: number, b: number, y: number, stride: number, nz: number): void;
  sigmoidInPlace(a: number, n: number): void;
  reluInPlace(a: number, n: number): void;
  softmaxArgmax(y: number, rows: number, cols: number, stride: number, predicted: number, confidence: number): void;
  argmaxRows(y: number, rows: number, cols: number, stride: number, predicted: number, confidence: number): void;
  pngRowsRgbUp(rgba: number, width: number, height: number, out: number): void;
}

/**
 * Where the built kernel may be: `dist/kernels.wasm` of the package, seen from src/wasm/ (tsx),
 * from dist/bundle/ (the bundled CLI; both two levels down) or from dist/src/wasm/ (tsc).
 */
const CANDIDATES = ['../../dist/kernels.wasm', '../../kernels.wasm'];

/** The module declares at most this many 64 KiB pages (scripts/build.mjs, --maximumMemory). */
const MAX_PAGES = 16384;

let compiled: WebAssembly.Module | undefined;

/** The compiled module, once per thread (compiling 5 KB takes well under a millisecond). */
export function kernelModule(): WebAssembly.Module {
  if (compiled !== undefined) return compiled;
  for (const candidate of CANDIDATES) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(new URL(candidate, import.meta.url)));
    } catch {
      continue;
    }
    compiled = new WebAssembly.Module(bytes);
    return compiled;
  }
  throw new Error('dist/kernels.wasm is missing: run `npm run build:cli` (npm install does it) to compile assembly/kernels.ts');
}

/**
 * A fresh instance over a new shared memory of `bytes` bytes after the module's own area (the
 * module imports its memory, shared, so helper threads can run on it too).
 */
export function kernelInstance(bytes: number): { k: KernelExports; memory: WebAssembly.Memory; base: number } {
  const reserved = 65536; // the module's own area below heapBase(): it has no data, so a page is ample
  const pages = Math.min(Math.ceil((reserved + bytes) / 65536), MAX_PAGES);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const k = attach(memory);
  const base = align16(k.heapBase());
  if (base > reserved) throw new Error(`kernels.wasm: heap base ${base} above the ${reserved} bytes kept for it`);
  return { k, memory, base: reserved };
}

/** The module instantiated over an existing (shared) memory: what a helper thread does. */
export function attach(memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports as unknown as KernelExports;
}

export const align16 = (byte: number): number => (byte + 15) & ~15;

/** The exports of dist/convnet.wasm (assembly/convnet.ts), the float64 convnet kernel: byte addresses in. */
export interface ConvnetExports {
  heapBase(): number;
  pixelsInto(pixels: number, table: number, C: number, H: number, W: number, pad: number, y: number): void;
  padInto(x: number, C: number, H: number, W: number, pad: number, y: number): void;
  reluInPlace(a: number, n: number): void;
  scaleInPlace(a: number, n: number, scale: number): void;
  product(
    a: number, rowStarts: number, rows: number, offsets: number, K: number, panels: number, panelCount: number, bias: number, cols: number,
    y: number, rowStride: number, colStride: number, pool: number, relu: number, values: number, steps: number,
  ): void;
}

let convnetCompiled: WebAssembly.Module | undefined;

/** dist/convnet.wasm compiled, once per thread, from the same places as dist/kernels.wasm. */
export function convnetModule(): WebAssembly.Module {
  if (convnetCompiled !== undefined) return convnetCompiled;
  for (const candidate of ['../../dist/convnet.wasm', '../../convnet.wasm']) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(new URL(candidate, import.meta.url)));
    } catch {
      continue;
    }
    convnetCompiled = new WebAssembly.Module(bytes);
    return convnetCompiled;
  }
  throw new Error('dist/convnet.wasm is missing: run `npm run build:cli` (npm install does it) to compile assembly/convnet.ts');
}

/** A fresh instance of dist/convnet.wasm over a new (unshared) memory with `bytes` bytes free from `base` on. */
export function convnetInstance(bytes: number): { k: ConvnetExports; memory: WebAssembly.Memory; base: number } {
  const reserved = 65536; // below: the module's own area (no data; its heap base is checked)
  const pages = Math.ceil((reserved + bytes) / 65536);
  if (pages > 65536) throw new RangeError(`the convnet kernel needs ${reserved + bytes} bytes, more than WebAssembly's 4 GiB`);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const k = new WebAssembly.Instance(convnetModule(), { env: { memory } }).exports as unknown as ConvnetExports;
  if (k.heapBase() > reserved) throw new Error(`convnet.wasm: heap base ${k.heapBase()} above the ${reserved} bytes kept for it`);
  return { k, memory, base: reserved };
}
