/**
 * `wasm-simd-f64`: the float64 forward pass of a convolutional network in WebAssembly SIMD
 * (dist/convnet.wasm, built from assembly/convnet.ts). The weights are packed once into the memory
 * of a fresh instance, with every buffer behind them, so a batch allocates nothing.
 *
 * As `createPredict` does, the layers before the first affine one run one image at a time, so that
 * what a convolution gives the next stays in the cache; each convolution is one `product` call
 * reading its patches in place (its ReLU and 2 × 2 max pooling fused), after its input was copied
 * into a zero-bordered buffer if it pads. The affine layers then run on the whole batch, and the
 * softmax (10 values an image) in JavaScript, as the JavaScript kernel computes it.
 *
 * One thread: a long run gets both cores from a forward worker beside the main thread (the plan).
 */
import { softmax } from '../nn/activations.js';
import { pixelSteps, pixelTable } from '../nn/input.js';
import type { Network } from '../nn/network.js';
import { align16, convnetInstance, convnetModule } from '../wasm/module.js';
import type { ForwardKernel, KernelOptions, KernelOutput } from './kernel.js';
import { PANEL, convnetSteps, convolutionTables, packBias, packPanels, type Support } from './wasm-convnet-plan.js';

/**
 * Images per chunk of a batch: the per-image layers fill a chunk's rows, then the affine layers run
 * on the chunk. The kernel's memory is sized for one chunk, whatever the batch size (a batch of
 * 65,536 ch. 7 images would otherwise gather 2.3 GB), and an affine layer's row table stays small.
 */
const CHUNK = 256;

/** Whether this kernel can run `network` (a float64 convnet of the layers it knows, the module built). */
export function convnetKernelSupport(network: Network): Support {
  const steps = convnetSteps(network);
  if ('reason' in steps) return { ok: false, reason: steps.reason };
  try {
    convnetModule();
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  return { ok: true };
}

/** The network's outputs for a batch of pixels: count × outputs float64 (probabilities, after a softmax), a view overwritten by the next call. */
export interface ConvnetPass {
  readonly outputs: number;
  run(pixels: Uint8Array, count: number): Float64Array;
}

/** The forward pass of `network` on the float64 convnet kernel, for batches of up to `maxBatchSize` images. */
export function createConvnetPass(network: Network, options: Pick<KernelOptions, 'normalize' | 'maxBatchSize'>): ConvnetPass {
  const steps = convnetSteps(network);
  if ('reason' in steps) throw new RangeError(`the wasm-simd-f64 kernel cannot run this network: ${steps.reason}`);
  const { maxBatchSize } = options;
  const chunk = Math.min(CHUNK, maxBatchSize);
  const inputSize = network.inputSize;

  // Lay out the memory, from byte 0 of the heap: weights and tables, then the buffers.
  let top = 0;
  const reserve = (bytes: number): number => {
    const at = top;
    top = align16(top + bytes);
    return at;
  };
  const copies: { at: number; data: Float64Array | Int32Array }[] = [];
  const place = (data: Float64Array | Int32Array): number => {
    const at = reserve(data.byteLength);
    copies.push({ at, data });
    return at;
  };
  const table = place(Float64Array.from(pixelTable(pixelSteps(network, options.normalize))));
  const pixels = reserve(chunk * inputSize);
  let maxK = 1;
  const imageRuns: ((k: Exports, at: (o: number) => number, pixelsAt: number) => void)[] = [];
  // Each image's steps: `current` is where the image's values are (undefined: still pixels).
  let current: number | undefined;
  let size = inputSize;
  for (const step of steps.image) {
    if (step.kind !== 'convolution') {
      const from = current;
      const n = size;
      if (from === undefined) throw new RangeError('the wasm-simd-f64 kernel cannot run this network: the first layer must be a convolution');
      imageRuns.push(step.kind === 'relu' ? (k, at) => k.reluInPlace(at(from), n) : (k, at) => k.scaleInPlace(at(from), n, step.scale));
      continue;
    }
    const { layer, relu, pool } = step;
    const [C, H, W] = layer.inputShape;
    const { pad } = layer;
    const K = layer.W.rows;
    const FN = layer.W.cols;
    maxK = Math.max(maxK, K);
    const { rowStarts, offsets } = convolutionTables(layer, pool);
    const tables = { rowStarts: place(rowStarts), offsets: place(offsets), panels: place(packPanels(layer.W)), bias: place(packBias(layer.b, FN)) };
    const from = current;
    // Its input: the pixels or an earlier output, copied into the middle of a zeroed buffer if it pads.
    const input = from === undefined || pad > 0 ? reserve(C * (H + 2 * pad) * (W + 2 * pad) * 8) : from;
    const outShape = pool?.outputShape ?? layer.outputShape;
    const outPlane = outShape[1] * outShape[2];
    const out = reserve(outShape[0] * outPlane * 8);
    const rows = rowStarts.length;
    const panelCount = Math.ceil(FN / PANEL);
    imageRuns.push((k, at, pixelsAt) => {
      if (from === undefined) k.pixelsInto(pixelsAt, at(table), C, H, W, pad, at(input));
      else if (pad > 0) k.padInto(at(from), C, H, W, pad, at(input));
      k.product(at(input), at(tables.rowStarts), rows, at(tables.offsets), K, at(tables.panels), panelCount, at(tables.bias), FN,
        at(out), 8, outPlane * 8, pool === undefined ? 0 : 1, relu ? 1 : 0, at(values), at(stepsAt));
    });
    current = out;
    size = outShape[0] * outPlane;
  }
  const imageOut = current!;
  const width = size;
  const gathered = reserve(chunk * width * 8);

  // The batch's steps, from the gathered images on.
  const batchRuns: ((k: Exports, at: (o: number) => number, count: number) => void)[] = [];
  let x = gathered;
  let cols = width;
  for (const step of steps.batch) {
    if (step.kind !== 'affine') {
      const a = x;
      const n = cols;
      batchRuns.push(step.kind === 'relu' ? (k, at, count) => k.reluInPlace(at(a), count * n) : (k, at, count) => k.scaleInPlace(at(a), count * n, step.scale));
      continue;
    }
    const { layer, relu } = step;
    const K = layer.W.rows;
    const out = layer.W.cols;
    maxK = Math.max(maxK, K);
    const rowStarts = place(Int32Array.from({ length: chunk }, (_, i) => i * K * 8));
    const offsets = place(Int32Array.from({ length: K }, (_, k) => k * 8));
    const panels = place(packPanels(layer.W));
    const bias = place(packBias(layer.b, out));
    const y = reserve(chunk * out * 8);
    const from = x;
    const panelCount = Math.ceil(out / PANEL);
    batchRuns.push((k, at, count) => {
      k.product(at(from), at(rowStarts), count, at(offsets), K, at(panels), panelCount, at(bias), out, at(y), out * 8, 8, 0, relu ? 1 : 0, at(values), at(stepsAt));
    });
    x = y;
    cols = out;
  }
  const values = reserve(maxK * PANEL * 8);
  const stepsAt = reserve(maxK * 4);

  const { k, memory, base } = convnetInstance(top);
  const at = (offset: number): number => base + offset;
  for (const { at: offset, data } of copies) {
    (data instanceof Float64Array ? new Float64Array(memory.buffer, at(offset), data.length) : new Int32Array(memory.buffer, at(offset), data.length)).set(data);
  }
  const input = new Uint8Array(memory.buffer, at(pixels), chunk * inputSize);
  const bytes = new Uint8Array(memory.buffer);
  const chunkOutput = new Float64Array(memory.buffer, at(x), chunk * cols);
  const output = new Float64Array(maxBatchSize * cols);
  const outputs = cols;
  const imageBytes = width * 8;
  return {
    outputs,
    run(batchPixels, count) {
      if (count > maxBatchSize) throw new RangeError(`batch of ${count} images exceeds ${maxBatchSize}`);
      for (let first = 0; first < count; first += chunk) {
        const n = Math.min(chunk, count - first);
        input.set(batchPixels.subarray(first * inputSize, (first + n) * inputSize));
        for (let i = 0; i < n; i++) {
          const pixelsAt = at(pixels) + i * inputSize;
          for (const run of imageRuns) run(k, at, pixelsAt);
          bytes.copyWithin(at(gathered) + i * imageBytes, at(imageOut), at(imageOut) + imageBytes);
        }
        for (const run of batchRuns) run(k, at, n);
        output.set(n === chunk ? chunkOutput : chunkOutput.subarray(0, n * outputs), first * outputs);
      }
      const y = output.subarray(0, count * outputs);
      if (steps.softmax) softmax(y, outputs, y);
      return y;
    },
  };
}

/** The kernel: the pass, then each image's class (the first largest output) and its probability. */
export function createWasmConvnetKernel(network: Network, options: KernelOptions): ForwardKernel {
  const { maxBatchSize } = options;
  const pass = createConvnetPass(network, options);
  const { outputs } = pass;
  const predicted = new Int32Array(maxBatchSize);
  const confidence = new Float32Array(maxBatchSize);
  const full: KernelOutput = { predicted, confidence };
  return {
    name: 'wasm-simd-f64',
    maxBatchSize,
    threads: 1,
    close() {},
    forward(batchPixels, count) {
      const y = pass.run(batchPixels, count);
      for (let i = 0; i < count; i++) {
        const row = i * outputs;
        let best = 0;
        for (let j = 1; j < outputs; j++) if (y[row + j] > y[row + best]) best = j;
        predicted[i] = best;
        confidence[i] = y[row + best];
      }
      return count === maxBatchSize ? full : { predicted: predicted.subarray(0, count), confidence: confidence.subarray(0, count) };
    },
  };
}

type Exports = ReturnType<typeof convnetInstance>['k'];
