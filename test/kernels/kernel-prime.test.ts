/**
 * Priming (primeKernelBuild, run when a WASM kernel is made and early in a CLI run): V8 runs the
 * kernel's code in TurboFan from the first batch instead of in its baseline tier, and nothing of
 * the throwaway instance reaches a kernel's results. Checked bit for bit on the 10,000 test
 * images against a kernel made before any priming (which starts in V8's baseline code), in
 * batches of 100 and in batches of 7 (partial last batch), for both builds.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createForwardKernel, precompileKernels, type ForwardKernel } from '../../src/kernels/forward-kernel.js';
import { BUILD_NAMES, createWasmKernel } from '../../src/kernels/wasm-kernel.js';
import { primeKernelBuild } from '../../src/wasm/prime.js';
import type { KernelBuild } from '../../src/wasm/module.js';
import { inferMlp } from '../../src/model/infer-mlp.js';
import { loadWeights } from '../../src/weights/load.js';
import { IMAGES_GZ, needsData, SAMPLE_WEIGHT } from '../helpers/data-dir.js';

needsData(test);

/** Every image's prediction and confidence, as bytes, batch by batch. */
function runAll(kernel: ForwardKernel, pixels: Uint8Array, batch: number): { predicted: Buffer; confidence: Buffer } {
  const images = pixels.length / 784;
  const predicted = new Int32Array(images);
  const confidence = new Float32Array(images);
  for (let start = 0; start < images; start += batch) {
    const count = Math.min(batch, images - start);
    const out = kernel.forward(pixels.subarray(start * 784, (start + count) * 784), count);
    predicted.set(out.predicted, start);
    confidence.set(out.confidence, start);
  }
  return { predicted: Buffer.from(predicted.buffer), confidence: Buffer.from(confidence.buffer) };
}

const load = async () => ({
  pixels: gunzipSync(readFileSync(IMAGES_GZ)).subarray(16),
  network: inferMlp((await loadWeights(SAMPLE_WEIGHT)).arrays, SAMPLE_WEIGHT, { inputSize: 784, activation: 'sigmoid' }),
});

for (const build of ['simd', 'relaxed-simd'] as const satisfies readonly KernelBuild[]) {
  test.serial(`${BUILD_NAMES[build]}: a kernel of a primed build gives the bits of one made before any priming`, async (t) => {
    const { pixels, network } = await load();
    // Made first, and not primed: its first batches run in V8's baseline code.
    const unprimed = createWasmKernel(network, { normalize: true, maxBatchSize: 100, prime: false }, build);
    const before = runAll(unprimed, pixels, 100);
    primeKernelBuild(build);
    primeKernelBuild(build); // once per thread: the second call does nothing
    for (const batch of [100, 7]) {
      const primed = createWasmKernel(network, { normalize: true, maxBatchSize: batch }, build);
      const after = runAll(primed, pixels, batch);
      t.true(after.predicted.equals(before.predicted), `predictions, batches of ${batch}`);
      t.true(after.confidence.equals(before.confidence), `confidences, batches of ${batch}`);
      primed.close();
    }
    // The sample network's known accuracy on the set, from those predictions.
    const labels = gunzipSync(readFileSync(IMAGES_GZ.replace('images-idx3', 'labels-idx1'))).subarray(8);
    const predicted = new Int32Array(before.predicted.buffer, before.predicted.byteOffset, labels.length);
    t.is(labels.filter((label, i) => label === predicted[i]).length, 9352);
  });
}

test.serial('precompileKernels resolves with the builds compiled and primed; a kernel made after it predicts as before', async (t) => {
  const { pixels, network } = await load();
  await precompileKernels();
  const reference = runAll(createForwardKernel(network, 'wasm-simd-f32', { normalize: true, maxBatchSize: 100, prime: false }), pixels.subarray(0, 784 * 300), 100);
  const kernel = createForwardKernel(network, 'wasm-simd-f32', { normalize: true, maxBatchSize: 100 });
  t.true(runAll(kernel, pixels.subarray(0, 784 * 300), 100).predicted.equals(reference.predicted));
});

test('a kernel for one image at a time, made right after another, runs the partial batches it is given', async (t) => {
  const { pixels, network } = await load();
  const one = createForwardKernel(network, 'wasm-simd-f32', { normalize: true, maxBatchSize: 1 });
  const hundred = createForwardKernel(network, 'wasm-simd-f32', { normalize: true, maxBatchSize: 100 });
  const few = hundred.forward(pixels.subarray(0, 784 * 3), 3);
  t.deepEqual([...few.predicted], [0, 1, 2].map((i) => one.forward(pixels.subarray(i * 784, (i + 1) * 784), 1).predicted[0]));
});
