/**
 * The WebAssembly SIMD kernel: the network's float32 weights are copied once into the memory of a
 * fresh instance of dist/kernels.wasm (built from assembly/kernels.ts), with every buffer a batch
 * needs laid out behind them, so a batch allocates nothing: its pixels are copied in, each layer
 * is one call, and the predictions are read through views made once.
 */
import { readFileSync } from 'node:fs';
import type { Layer, Network } from '../nn/network.js';
import type { ForwardKernel, KernelOptions, KernelOutput } from './forward-kernel.js';

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  pixelTable(table: number, normalize: number): void;
  affinePixels(x: number, rows: number, inner: number, table: number, W: number, b: number, y: number, stride: number, nz: number): void;
  affine(x: number, rows: number, inner: number, xStride: number, W: number, b: number, y: number, stride: number, nz: number): void;
  sigmoidInPlace(a: number, n: number): void;
  reluInPlace(a: number, n: number): void;
  softmaxArgmax(y: number, rows: number, cols: number, stride: number, predicted: number, confidence: number): void;
  argmaxRows(y: number, rows: number, cols: number, stride: number, predicted: number, confidence: number): void;
}

/**
 * Where the built kernel may be: `dist/kernels.wasm` of the package, seen from src/kernels/ (tsx),
 * from dist/bundle/ (the bundled CLI; both two levels down) or from dist/src/kernels/ (tsc).
 */
const CANDIDATES = ['../../dist/kernels.wasm', '../../kernels.wasm'];

let compiled: WebAssembly.Module | undefined;

/** The compiled module, once per thread (compiling 4 KB takes well under a millisecond). */
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
  throw new Error('dist/kernels.wasm is missing: run `npm run build` (npm install does it) to compile assembly/kernels.ts');
}

export type Support = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Whether this kernel can run `network`: float32, affine layers with activations, softmax last. */
export function wasmKernelSupport(network: Network): Support {
  if (network.precision !== 'float32') return { ok: false, reason: `it computes in float32, the network is ${network.precision}` };
  if (network.layers[0]?.kind !== 'affine') return { ok: false, reason: 'the first layer must be affine' };
  for (const [i, layer] of network.layers.entries()) {
    const kind: Layer['kind'] = layer.kind;
    if (kind === 'softmax' && i !== network.layers.length - 1) return { ok: false, reason: 'softmax must be the last layer' };
    if (kind !== 'affine' && kind !== 'sigmoid' && kind !== 'relu' && kind !== 'softmax' && kind !== 'flatten') {
      return { ok: false, reason: `it has no ${kind} layer` };
    }
  }
  try {
    kernelModule();
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  return { ok: true };
}

/** Rounds up to a multiple of 4 floats: a row of whole f32x4 vectors. */
const strideOf = (cols: number): number => (cols + 3) & ~3;
const align16 = (byte: number): number => (byte + 15) & ~15;

/** The float32 forward pass of `network` in a WebAssembly instance of its own. */
export function createWasmKernel(network: Network, options: KernelOptions): ForwardKernel {
  const support = wasmKernelSupport(network);
  if (!support.ok) throw new Error(`the wasm kernel cannot run this network: ${support.reason}`);
  const { maxBatchSize } = options;
  const instance = new WebAssembly.Instance(kernelModule(), {});
  const k = instance.exports as unknown as KernelExports;

  // Lay out the memory: weights first, then the batch's buffers.
  let top = align16(k.heapBase());
  const reserve = (bytes: number): number => {
    const at = top;
    top = align16(top + bytes);
    return at;
  };
  type Step = (rows: number) => void;
  const placed: { W: number; b: number; layer: Extract<Layer, { kind: 'affine' }> }[] = [];
  for (const layer of network.layers) {
    if (layer.kind !== 'affine') continue;
    const stride = strideOf(layer.W.cols);
    placed.push({ W: reserve(layer.W.rows * stride * 4), b: reserve(stride * 4), layer });
  }
  const pixels = reserve(maxBatchSize * network.inputSize);
  const table = reserve(256 * 4);
  const maxInner = Math.max(...placed.map((p) => p.layer.W.rows));
  const nz = reserve(maxInner * 8);
  const predictedAt = reserve(maxBatchSize * 4);
  const confidenceAt = reserve(maxBatchSize * 4);
  const outputs = placed.map((p) => reserve(maxBatchSize * strideOf(p.layer.W.cols) * 4));
  const pages = Math.ceil(top / 65536) - k.memory.buffer.byteLength / 65536;
  if (pages > 0) k.memory.grow(pages);

  // Copy the weights in, each row padded with zeros to its stride (the memory starts zeroed).
  const memory = k.memory.buffer;
  for (const { W, b, layer } of placed) {
    const stride = strideOf(layer.W.cols);
    const Wm = new Float32Array(memory, W, layer.W.rows * stride);
    for (let r = 0; r < layer.W.rows; r++) Wm.set(layer.W.data.subarray(r * layer.W.cols, (r + 1) * layer.W.cols), r * stride);
    new Float32Array(memory, b, stride).set(layer.b);
  }

  k.pixelTable(table, options.normalize ? 1 : 0);

  // One step per layer: the addresses are fixed, only the number of rows changes.
  const steps: Step[] = [];
  let affineIndex = -1;
  let at = pixels;
  let cols = network.inputSize;
  let stride = cols;
  let endsInSoftmax = false;
  for (const layer of network.layers) {
    switch (layer.kind) {
      case 'affine': {
        affineIndex++;
        const { W, b } = placed[affineIndex];
        const x = at;
        const y = outputs[affineIndex];
        const inner = layer.W.rows;
        const xStride = stride;
        const yStride = strideOf(layer.W.cols);
        steps.push(
          affineIndex === 0
            ? (rows) => k.affinePixels(x, rows, inner, table, W, b, y, yStride, nz)
            : (rows) => k.affine(x, rows, inner, xStride, W, b, y, yStride, nz),
        );
        at = y;
        cols = layer.W.cols;
        stride = yStride;
        break;
      }
      case 'sigmoid': {
        const a = at;
        const s = stride;
        steps.push((rows) => k.sigmoidInPlace(a, rows * s));
        break;
      }
      case 'relu': {
        const a = at;
        const s = stride;
        steps.push((rows) => k.reluInPlace(a, rows * s));
        break;
      }
      case 'softmax':
        endsInSoftmax = true;
        break;
      default:
        break;
    }
  }
  {
    const y = at;
    const c = cols;
    const s = stride;
    steps.push(endsInSoftmax
      ? (rows) => k.softmaxArgmax(y, rows, c, s, predictedAt, confidenceAt)
      : (rows) => k.argmaxRows(y, rows, c, s, predictedAt, confidenceAt));
  }

  const input = new Uint8Array(memory, pixels, maxBatchSize * network.inputSize);
  const predicted = new Int32Array(memory, predictedAt, maxBatchSize);
  const confidence = new Float32Array(memory, confidenceAt, maxBatchSize);
  const full: KernelOutput = { predicted, confidence };
  const inputSize = network.inputSize;
  return {
    name: 'wasm-simd-f32',
    maxBatchSize,
    forward(batchPixels, count) {
      if (count > maxBatchSize) throw new RangeError(`batch of ${count} images exceeds ${maxBatchSize}`);
      const n = count * inputSize;
      input.set(batchPixels.length === n ? batchPixels : batchPixels.subarray(0, n));
      for (const step of steps) step(count);
      return count === maxBatchSize ? full : { predicted: predicted.subarray(0, count), confidence: confidence.subarray(0, count) };
    },
  };
}
