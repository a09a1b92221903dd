/**
 * The project's WebAssembly module (assembly/kernels.ts, compiled by scripts/build.mjs into
 * dist/kernels.wasm, plain 128-bit SIMD, and dist/kernels-relaxed.wasm, with relaxed SIMD's
 * fused multiply-add): loading a build once per thread and instantiating it over a fresh shared
 * memory. The forward kernels (kernels/) and the PNG encoder (mosaic/) each make their own
 * instance; neither sees the other's.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { lowerTieringBudget } from './tiering.js';

/** Which build: `simd` runs wherever WebAssembly SIMD does; `relaxed-simd` where `relaxedSimdSupported()`. */
export type KernelBuild = 'simd' | 'relaxed-simd';

export interface KernelExports {
  heapBase(): number;
  affinePixels(x: number, rows: number, inner: number, table: number, W: number, b: number, y: number, stride: number, nz: number): void;
  affine(x: number, rows: number, inner: number, xStride: number, W: number, b: number, y: number, stride: number): void;
  sigmoidInPlace(a: number, n: number): void;
  reluInPlace(a: number, n: number): void;
  softmaxArgmax(y: number, rows: number, cols: number, stride: number, predicted: number, confidence: number): void;
  argmaxRows(y: number, rows: number, cols: number, stride: number, predicted: number, confidence: number): void;
  expInto(x: number, n: number, out: number): void;
  pngRowsRgbUp(rgba: number, width: number, from: number, to: number, out: number): void;
  paintDigits(canvas: number, width: number, tiles: number, count: number, rows: number, cols: number, scale: number, places: number, masks: number): void;
  /** A u32 returned as an i32: `>>> 0` it. */
  adler32(data: number, length: number, adler: number): number;
}

const FILES: Record<KernelBuild, string> = { simd: 'kernels.wasm', 'relaxed-simd': 'kernels-relaxed.wasm' };

/**
 * Where a built module may be: in the package's dist/, seen from src/wasm/ (tsx), from
 * dist/bundle/ (the bundled CLI; both two levels down) or from dist/src/wasm/ (tsc).
 */
const candidates = (file: string): string[] => [`../../dist/${file}`, `../../${file}`];

/** The module declares at most this many 64 KiB pages (scripts/build.mjs, --maximumMemory). */
const MAX_PAGES = 16384;
/** The most bytes an instance's memory holds, the module's own area included. */
export const KERNEL_MEMORY_BYTES = MAX_PAGES * 65536;

const compiled = new Map<KernelBuild, WebAssembly.Module>();

function readBuild(build: KernelBuild): Uint8Array<ArrayBuffer> | undefined {
  for (const candidate of candidates(FILES[build])) {
    try {
      return new Uint8Array(readFileSync(new URL(candidate, import.meta.url)));
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The compiled module of `build`, once per thread (compiling 5 KB takes well under a millisecond). */
export function kernelModule(build: KernelBuild = 'simd'): WebAssembly.Module {
  const known = compiled.get(build);
  if (known !== undefined) return known;
  const bytes = readBuild(build);
  if (bytes === undefined) throw new Error(missingBuild(build));
  // Under a low tiering budget (tiering.ts): the kernel's hot functions reach TurboFan sooner.
  const { restore } = lowerTieringBudget();
  try {
    const module = new WebAssembly.Module(bytes);
    compiled.set(build, module);
    return module;
  } finally {
    restore();
  }
}

/**
 * Starts compiling `build` with `WebAssembly.compile`, which V8 does on its background threads,
 * so that the run's later `kernelModule(build)` finds it compiled instead of compiling it on this
 * thread. Resolves once it is in (never rejects: a missing or invalid build is reported by
 * `kernelModule`). The relaxed build needs `relaxedSimdSupported()` first (Node 20's flag).
 */
export function compileKernelModule(build: KernelBuild = 'simd'): Promise<void> {
  if (compiled.has(build)) return Promise.resolve();
  const bytes = readBuild(build);
  if (bytes === undefined) return Promise.resolve();
  // Put back once the compile is done: V8 reads the flag somewhere in the compile's own tasks.
  const { restore } = lowerTieringBudget();
  return WebAssembly.compile(bytes).then((module) => {
    if (!compiled.has(build)) compiled.set(build, module);
  }, () => undefined).finally(restore);
}

/**
 * Why `build` cannot be compiled, checked without compiling it (for a kernel's support check): its
 * file missing, or not a module this Node validates. Undefined when it can.
 */
export function kernelBuildUnusable(build: KernelBuild = 'simd'): string | undefined {
  if (compiled.has(build)) return undefined;
  const bytes = readBuild(build);
  if (bytes === undefined) return missingBuild(build);
  return WebAssembly.validate(bytes) ? undefined : `dist/${FILES[build]} is not a WebAssembly module that Node ${process.version} compiles: run \`npm run build:cli\` to rebuild it`;
}

const missingBuild = (build: KernelBuild): string => `dist/${FILES[build]} is missing: run \`npm run build:cli\` (npm install does it) to compile assembly/kernels.ts`;

let relaxed: boolean | undefined;

/**
 * Whether this Node compiles the relaxed-SIMD build. Node 22 and later do by default; Node 20
 * only with V8's --experimental-wasm-relaxed-simd, which is set here, once, before anything is
 * compiled with it (V8 reads it when it validates a module; flags are process-wide, so worker
 * threads see it too). Only set where validation fails without it: newer V8s no longer know the
 * flag and would print an error for it.
 */
export function relaxedSimdSupported(): boolean {
  if (relaxed !== undefined) return relaxed;
  const bytes = readBuild('relaxed-simd');
  if (bytes === undefined) return (relaxed = false);
  relaxed = WebAssembly.validate(bytes);
  if (!relaxed && Number(process.versions.node.split('.')[0]) < 22) {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    relaxed = WebAssembly.validate(bytes);
  }
  return relaxed;
}

/**
 * A fresh instance of `build` over a new shared memory of `bytes` bytes after the module's own
 * area (the module imports its memory, shared, so helper threads can run on it too).
 */
export function kernelInstance(bytes: number, build: KernelBuild = 'simd'): { k: KernelExports; memory: WebAssembly.Memory; base: number } {
  const reserved = 65536; // the module's own area below heapBase(): its constants (under 1 KB), so a page is ample
  const pages = Math.min(Math.ceil((reserved + bytes) / 65536), MAX_PAGES);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const k = attach(memory, build);
  const base = align16(k.heapBase());
  if (base > reserved) throw new Error(`${FILES[build]}: heap base ${base} above the ${reserved} bytes kept for it`);
  return { k, memory, base: reserved };
}

/**
 * `build` instantiated over an existing (shared) memory: what a helper thread does. Each instance
 * writes the module's constants below heapBase() again, the same bytes, so the threads never see
 * them change.
 */
export function attach(memory: WebAssembly.Memory, build: KernelBuild = 'simd'): KernelExports {
  return new WebAssembly.Instance(kernelModule(build), { env: { memory } }).exports as unknown as KernelExports;
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
