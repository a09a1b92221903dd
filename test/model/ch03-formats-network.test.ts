/**
 * Every ch. 3 file of formats/ is the book's network re-saved by a framework (torch's out × in
 * `fc1.weight`, ONNX's Gemm transB=1 or MatMul, Keras's Dense kernels, safetensors), and each must
 * load as the network `sample_weight.pkl` loads as, bit for bit: the same layers (no extra Div,
 * Flatten or Softmax left in, no unfused activation), every weight in the in × out layout the
 * kernels take, the same pixel steps. The WASM kernel's plan is a function of the network alone,
 * so equal networks run the same plan: the last tests run the 10,000 test images through the
 * kernel `auto` picks for the two ONNX files and the pickle and compare every prediction and
 * top-1 probability bit for bit, and the .onnx network on 2 threads against itself on one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import test from 'ava';
import { createForwardKernel, resolveKernel } from '../../src/kernels/forward-kernel.js';
import type { KernelOptions } from '../../src/kernels/kernel.js';
import { loadModel } from '../../src/model/load-model.js';
import type { FloatArray } from '../../src/nn/matrix.js';
import type { Network } from '../../src/nn/network.js';
import { spawnThread } from '../../src/workers/threads.js';
import { FORMATS_DIR, IMAGES_GZ, SAMPLE_WEIGHT, needsData } from '../helpers/data-dir.js';

needsData(test);

const CH03_FILES = [
  'ch03_legacy.onnx',
  'ch03_dynamo.onnx',
  'ch03_state_dict.pt',
  'ch03_state_dict_legacy.pt',
  'ch03_torch.safetensors',
  'ch03.safetensors',
  'ch03.keras',
  'ch03.h5',
  'ch03.weights.h5',
];

const load = async (weights: string): Promise<Network> => (await loadModel({ weights, imageShape: [28, 28] })).network;

/** The bytes of a typed array, with its type's name, so that a float64 copy or a -0 for a 0 shows. */
const bits = (array: FloatArray): { type: string; bytes: Buffer } => ({ type: array.constructor.name, bytes: Buffer.from(array.buffer, array.byteOffset, array.byteLength) });

/** A network with the names of its arrays left out (those are the file's), every array as its bits. */
function shapeAndBits(network: Network): unknown {
  return {
    ...network,
    layers: network.layers.map((layer) =>
      layer.kind === 'affine' ? { kind: layer.kind, rows: layer.W.rows, cols: layer.W.cols, W: bits(layer.W.data), b: bits(layer.b) } : layer),
  };
}

let pickle: Promise<Network> | undefined;
const pickleNetwork = (): Promise<Network> => (pickle ??= load(SAMPLE_WEIGHT));

test('the pickle gives the layers the kernels run: affine, sigmoid, affine, sigmoid, affine, softmax, in float32', async (t) => {
  const network = await pickleNetwork();
  t.deepEqual(network.layers.map((layer) => (layer.kind === 'affine' ? `affine ${layer.W.rows}x${layer.W.cols}` : layer.kind)),
    ['affine 784x50', 'sigmoid', 'affine 50x100', 'sigmoid', 'affine 100x10', 'softmax']);
  t.like(network, { precision: 'float32', inputSize: 784, outputSize: 10, output: 'probabilities' });
  t.is(network.pixels, undefined);
  t.is(network.rawPixels, undefined);
});

for (const file of CH03_FILES) {
  test(`${file} loads as the pickle's network, bit for bit, and takes the same kernel`, async (t) => {
    const [network, reference] = await Promise.all([load(join(FORMATS_DIR, file)), pickleNetwork()]);
    t.deepEqual(shapeAndBits(network), shapeAndBits(reference));
    t.is(resolveKernel(network, 'auto'), resolveKernel(reference, 'auto'));
  });
}

/** The kernel `auto` picks, over the 10,000 test images in batches of 100: every prediction and top-1 probability. */
async function runAll(network: Network, pixels: Uint8Array, threads = 1): Promise<{ kernel: string; predicted: Buffer; confidence: Buffer }> {
  const kernel = resolveKernel(network, 'auto');
  const options: KernelOptions = { normalize: true, maxBatchSize: 100, threads, helperThread: () => spawnThread('kernel-helper') };
  const forward = createForwardKernel(network, kernel, options);
  const images = pixels.length / 784;
  const predicted = new Int32Array(images);
  const confidence = new Float32Array(images);
  try {
    // The helper starts in the background: wait for it, so that the batches are split.
    for (let waited = 0; forward.threads < threads; waited += 10) {
      if (waited > 30_000) throw new Error('the helper thread did not start within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (let start = 0; start < images; start += 100) {
      const out = forward.forward(pixels.subarray(start * 784, (start + 100) * 784), 100);
      predicted.set(out.predicted, start);
      confidence.set(out.confidence, start);
    }
  } finally {
    forward.close();
  }
  return { kernel, predicted: Buffer.from(predicted.buffer), confidence: Buffer.from(confidence.buffer) };
}

for (const file of ['ch03_legacy.onnx', 'ch03_dynamo.onnx']) {
  test(`${file} on its kernel gives the pickle's 10,000 predictions and top-1 probabilities, bit for bit`, async (t) => {
    const pixels = gunzipSync(readFileSync(IMAGES_GZ)).subarray(16);
    t.is(pixels.length, 10_000 * 784);
    const ours = await runAll(await load(join(FORMATS_DIR, file)), pixels);
    const reference = await runAll(await pickleNetwork(), pixels);
    t.is(ours.kernel, reference.kernel);
    t.true(ours.predicted.equals(reference.predicted), 'predictions differ');
    t.true(ours.confidence.equals(reference.confidence), 'top-1 probabilities differ');
  });
}

test('ch03_legacy.onnx on its kernel with 2 threads (as bench/onnx-forward.ts runs it) gives its 1-thread bits', async (t) => {
  const pixels = gunzipSync(readFileSync(IMAGES_GZ)).subarray(16);
  const network = await load(join(FORMATS_DIR, 'ch03_legacy.onnx'));
  const [one, two] = [await runAll(network, pixels), await runAll(network, pixels, 2)];
  t.true(two.predicted.equals(one.predicted), 'predictions differ');
  t.true(two.confidence.equals(one.confidence), 'top-1 probabilities differ');
});
