/**
 * The WebAssembly SIMD kernel, in two builds of one source (src/wasm/module.ts): `wasm-simd-f32`
 * (128-bit SIMD) and `wasm-relaxed-simd-f32` (with relaxed SIMD's fused multiply-add). The
 * network's float32 weights are copied once into the memory of a fresh instance of the build
 * (dist/kernels.wasm or dist/kernels-relaxed.wasm, from assembly/kernels.ts), with every buffer a batch
 * needs laid out behind them, so a batch allocates nothing: its pixels are copied in, each layer
 * is one call, and the predictions are read through views made once.
 *
 * With `threads` above 1, helper threads (src/workers/kernel-helper.ts, handed in by the caller)
 * share that memory and each batch is split by rows: the main thread runs the first part while
 * the helpers run the others, as OpenBLAS splits a matrix product over its threads. Until a
 * helper is ready, the main thread runs whole batches alone.
 */
import type { Layer, Network } from '../nn/network.js';
import type { ForwardKernel, KernelOptions, KernelOutput } from './kernel.js';
import { align16, kernelBuildUnusable, kernelInstance, relaxedSimdSupported, type KernelBuild } from '../wasm/module.js';
import { primeKernelBuild } from '../wasm/prime.js';
import { pixelSteps, pixelTable } from '../nn/input.js';
import { CTL, runRows, type HelperInit, type Op, type Plan } from './wasm-plan.js';


export type Support = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Whether this kernel can run `network`: float32, affine layers with activations, softmax last,
 * and pixel 0 an input of 0 (its first layer skips zero pixels).
 */
export function wasmKernelSupport(network: Network, normalize = true): Support {
  if (network.precision !== 'float32') return { ok: false, reason: `it computes in float32, the network is ${network.precision}` };
  if (pixelTable(pixelSteps(network, normalize))[0] !== 0) return { ok: false, reason: 'its first layer skips zero pixels, and this preprocessing makes them nonzero' };
  if (network.layers[0]?.kind !== 'affine') return { ok: false, reason: 'the first layer must be affine' };
  for (const [i, layer] of network.layers.entries()) {
    const kind: Layer['kind'] = layer.kind;
    if (kind === 'softmax' && i !== network.layers.length - 1) return { ok: false, reason: 'softmax must be the last layer' };
    if (kind !== 'affine' && kind !== 'sigmoid' && kind !== 'relu' && kind !== 'softmax' && kind !== 'flatten') {
      return { ok: false, reason: `it has no ${kind} layer` };
    }
  }
  const unusable = kernelBuildUnusable();
  return unusable === undefined ? { ok: true } : { ok: false, reason: unusable };
}

/** Rounds up to a multiple of 4 floats: a row of whole f32x4 vectors. */
const strideOf = (cols: number): number => (cols + 3) & ~3;

/** Below this many rows a batch is not split: the threads' hand-over would cost more than it saves. */
const MIN_ROWS_PER_THREAD = 8;

/** Rows of a warm-up pass: a batch of the default size. */
const WARM_UP_ROWS = 100;

/** Each build's kernel name. */
export const BUILD_NAMES = { simd: 'wasm-simd-f32', 'relaxed-simd': 'wasm-relaxed-simd-f32' } as const satisfies Record<KernelBuild, string>;

/** The float32 forward pass of `network` in a WebAssembly instance of `build`, its own. */
export function createWasmKernel(network: Network, options: KernelOptions, build: KernelBuild = 'simd'): ForwardKernel {
  const support = wasmKernelSupport(network, options.normalize);
  if (!support.ok) throw new RangeError(`the wasm kernel cannot run this network: ${support.reason}`);
  if (build === 'relaxed-simd' && !relaxedSimdSupported()) throw new RangeError(`the ${BUILD_NAMES[build]} kernel needs WebAssembly relaxed SIMD, which Node ${process.version} does not compile`);
  const { maxBatchSize } = options;
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const { helperThread } = options;
  if (threads > 1 && helperThread === undefined) throw new RangeError(`a wasm kernel on ${threads} threads needs helperThread to start its helpers`);
  const affine = network.layers.filter((layer): layer is Extract<Layer, { kind: 'affine' }> => layer.kind === 'affine');

  // Lay out the memory, from byte 0 of the heap: weights first, then the batch's buffers.
  let top = 0;
  const reserve = (bytes: number): number => {
    const at = top;
    top = align16(top + bytes);
    return at;
  };
  const placed = affine.map((layer) => ({ layer, W: reserve(layer.W.rows * strideOf(layer.W.cols) * 4), b: reserve(strideOf(layer.W.cols) * 4) }));
  // The first layer reads its pixels 64 at a time, past the last image's end too: 64 bytes more.
  const pixels = reserve(maxBatchSize * network.inputSize + 64);
  const table = reserve(256 * 4);
  // The first layer's list of (row offset, input) pairs for its nonzero pixels, one per thread.
  const scratch = Array.from({ length: threads }, () => reserve(affine[0].W.rows * 8));
  const controls = Array.from({ length: threads - 1 }, () => reserve(CTL.SIZE * 4));
  const predicted = reserve(maxBatchSize * 4);
  const confidence = reserve(maxBatchSize * 4);
  const outputs = placed.map(({ layer }) => reserve(maxBatchSize * strideOf(layer.W.cols) * 4));
  const { k, memory, base } = kernelInstance(top, build);
  const at = (offset: number): number => base + offset;

  // Copy the weights in, each row padded with zeros to its stride (the memory starts zeroed).
  for (const { W, b, layer } of placed) {
    const stride = strideOf(layer.W.cols);
    const Wm = new Float32Array(memory.buffer, at(W), layer.W.rows * stride);
    // Rows already whole vectors (widths that are multiples of 4) go in as one copy.
    if (stride === layer.W.cols) Wm.set(layer.W.data.subarray(0, layer.W.rows * stride));
    else for (let r = 0; r < layer.W.rows; r++) Wm.set(layer.W.data.subarray(r * layer.W.cols, (r + 1) * layer.W.cols), r * stride);
    new Float32Array(memory.buffer, at(b), stride).set(layer.b);
  }
  new Float32Array(memory.buffer, at(table), 256).set(pixelTable(pixelSteps(network, options.normalize)));

  // The plan: one call per layer, its operands' addresses fixed.
  const ops: Op[] = [];
  let x = at(pixels);
  let cols = network.inputSize;
  let stride = cols;
  let n = -1;
  for (const layer of network.layers) {
    if (layer.kind === 'affine') {
      n++;
      const y = at(outputs[n]);
      const next = strideOf(layer.W.cols);
      ops.push(n === 0
        ? { op: 'pixels', inner: layer.W.rows, table: at(table), W: at(placed[n].W), b: at(placed[n].b), y, stride: next }
        : { op: 'affine', x, inner: layer.W.rows, xStride: stride, W: at(placed[n].W), b: at(placed[n].b), y, stride: next });
      x = y;
      cols = layer.W.cols;
      stride = next;
    } else if (layer.kind === 'sigmoid' || layer.kind === 'relu') {
      ops.push({ op: layer.kind, a: x, stride });
    }
  }
  const last = network.layers[network.layers.length - 1];
  ops.push({ op: last.kind === 'softmax' ? 'softmax' : 'argmax', y: x, cols, stride });
  const plan: Plan = { pixels: at(pixels), inputSize: network.inputSize, predicted: at(predicted), confidence: at(confidence), ops };

  // Helper threads: each on the same memory, with its own scratch and control block.
  const helpers = Array.from({ length: threads - 1 }, () => helperThread!()).map((worker, i) => {
    const init: HelperInit = { build, memory, plan, nz: at(scratch[i + 1]), control: at(controls[i]) };
    worker.postMessage(init);
    return { worker, ctl: new Int32Array(memory.buffer, at(controls[i]), CTL.SIZE) };
  });
  const ready: Int32Array[] = [];

  const input = new Uint8Array(memory.buffer, at(pixels), maxBatchSize * network.inputSize);
  const predictedView = new Int32Array(memory.buffer, at(predicted), maxBatchSize);
  const confidenceView = new Float32Array(memory.buffer, at(confidence), maxBatchSize);
  const full: KernelOutput = { predicted: predictedView, confidence: confidenceView };
  const inputSize = network.inputSize;
  const nz = at(scratch[0]);
  let closed = false;
  // Made now, not in the first batch: the build's code past V8's baseline tier, and a pass over
  // the (still zero) pixels for the first call's page faults and cache misses on this instance's
  // buffers. It writes only rows that every batch writes again before it reads them.
  if (options.prime !== false) {
    primeKernelBuild(build);
    runRows(k, plan, nz, 0, Math.min(maxBatchSize, WARM_UP_ROWS));
  }
  return {
    name: BUILD_NAMES[build],
    maxBatchSize,
    get threads() {
      return 1 + helpers.filter((h) => Atomics.load(h.ctl, CTL.READY) === 1).length;
    },
    forward(batchPixels, count) {
      if (count > maxBatchSize) throw new RangeError(`batch of ${count} images exceeds ${maxBatchSize}`);
      const bytes = count * inputSize;
      input.set(batchPixels.length === bytes ? batchPixels : batchPixels.subarray(0, bytes));
      ready.length = 0;
      for (const h of helpers) if (Atomics.load(h.ctl, CTL.READY) === 1) ready.push(h.ctl);
      const parts = Math.min(ready.length + 1, Math.floor(count / MIN_ROWS_PER_THREAD) || 1);
      const per = Math.ceil(count / parts);
      // Post the later parts to the helpers, run the first here, then wait for each helper.
      for (let p = 1; p < parts; p++) {
        const ctl = ready[p - 1];
        Atomics.store(ctl, CTL.FROM, p * per);
        Atomics.store(ctl, CTL.TO, Math.min(count, (p + 1) * per));
        Atomics.add(ctl, CTL.JOB, 1);
        Atomics.notify(ctl, CTL.JOB);
      }
      runRows(k, plan, nz, 0, Math.min(count, per));
      for (let p = 1; p < parts; p++) {
        const ctl = ready[p - 1];
        const job = Atomics.load(ctl, CTL.JOB);
        for (let done = Atomics.load(ctl, CTL.DONE); done !== job; done = Atomics.load(ctl, CTL.DONE)) {
          if (Atomics.wait(ctl, CTL.DONE, done, 30_000) === 'timed-out') throw new Error('wasm kernel: a helper thread did not finish its rows within 30 s');
        }
        if (Atomics.load(ctl, CTL.FAILED) === 1) throw new Error('wasm kernel: a helper thread failed on its rows');
      }
      return count === maxBatchSize ? full : { predicted: predictedView.subarray(0, count), confidence: confidenceView.subarray(0, count) };
    },
    close() {
      if (closed) return;
      closed = true;
      for (const { worker, ctl } of helpers) {
        Atomics.store(ctl, CTL.STOP, 1);
        Atomics.add(ctl, CTL.JOB, 1);
        Atomics.notify(ctl, CTL.JOB);
        void worker.terminate();
      }
    },
  };
}
