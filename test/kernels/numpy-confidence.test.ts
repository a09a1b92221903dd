/**
 * Both WebAssembly builds against numpy's own probabilities on the 10,000 test images (the book's
 * sigmoid network, normalised and raw, and the same weights as a ReLU MLP): every prediction
 * equal, and every confidence (the top probability) close to numpy's, far inside numpy's smallest
 * top-1/top-2 gap on the set (1.2e-3), on one thread and split over two. The bounds are set by
 * the float32 sums, which OpenBLAS adds in another order: the float64 JavaScript kernel is as far
 * from numpy (1.1e-6, 2.0e-5 and 1.0e-5), the cheap exp adds no more than a tenth of that.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createForwardKernel, type ForwardKernel } from '../../src/kernels/forward-kernel.js';
import { inferMlp } from '../../src/model/infer-mlp.js';
import { loadWeights } from '../../src/weights/load.js';
import { spawnThread } from '../../src/workers/threads.js';
import { IMAGES_GZ, needsData, SAMPLE_WEIGHT } from '../helpers/data-dir.js';

needsData(test);

/** numpy's top probability and argmax of each image, as the book computes them (float32 throughout). */
const NUMPY = `
import gzip, json, pickle, sys
import numpy as np
np.seterr(over='ignore')  # raw pixels: sigmoid's exp(-a) overflows to inf, and 1 / (1 + inf) is the 0 meant
with gzip.open(sys.argv[1], 'rb') as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32)
if sys.argv[3] == 'normalize':
    x /= 255.0
with open(sys.argv[2], 'rb') as f:
    network = pickle.load(f)
activation = (lambda a: np.maximum(0, a)) if sys.argv[4] == 'relu' else (lambda a: 1 / (1 + np.exp(-a)))
a = x
for n in (1, 2, 3):
    a = np.dot(a, network[f'W{n}']) + network[f'b{n}']
    if n < 3:
        a = activation(a)
a = a - np.max(a, axis=-1, keepdims=True)
y = np.exp(a) / np.sum(np.exp(a), axis=-1, keepdims=True)
print(json.dumps({'predicted': np.argmax(y, axis=1).tolist(), 'confidence': np.max(y, axis=1).astype(float).tolist()}))
`;

const VARIANTS = [
  { name: 'sigmoid, normalised', normalize: true, activation: 'sigmoid', within: 2e-6 },
  { name: 'sigmoid, raw pixels', normalize: false, activation: 'sigmoid', within: 5e-5 },
  { name: 'relu, normalised', normalize: true, activation: 'relu', within: 2e-5 },
] as const;

async function numpy(normalize: boolean, activation: string): Promise<{ predicted: number[]; confidence: number[] }> {
  const { stdout } = await promisify(execFile)('python3', ['-c', NUMPY, IMAGES_GZ, SAMPLE_WEIGHT, normalize ? 'normalize' : 'raw', activation], { maxBuffer: 1 << 26 });
  return JSON.parse(stdout) as { predicted: number[]; confidence: number[] };
}

async function ready(kernel: ForwardKernel, threads: number): Promise<void> {
  for (let waited = 0; kernel.threads < threads; waited += 10) {
    if (waited > 30_000) throw new Error('the helper thread did not start');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const variant of VARIANTS) {
  for (const name of ['wasm-simd-f32', 'wasm-relaxed-simd-f32'] as const) {
    for (const threads of [1, 2]) {
      test(`${variant.name}: ${name} on ${threads} thread${threads > 1 ? 's' : ''} gives numpy's predictions and its probabilities within ${variant.within}`, async (t) => {
        const [reference, weights] = await Promise.all([numpy(variant.normalize, variant.activation), loadWeights(SAMPLE_WEIGHT)]);
        const network = inferMlp(weights.arrays, SAMPLE_WEIGHT, { inputSize: 784, activation: variant.activation });
        const helperThread = threads > 1 ? () => spawnThread('kernel-helper') : undefined;
        const kernel = createForwardKernel(network, name, { normalize: variant.normalize, maxBatchSize: 100, threads, helperThread });
        try {
          await ready(kernel, threads);
          const pixels = gunzipSync(readFileSync(IMAGES_GZ)).subarray(16);
          const differing: number[] = [];
          let largest = 0;
          for (let start = 0; start < 10_000; start += 100) {
            const { predicted, confidence } = kernel.forward(pixels.subarray(start * 784, (start + 100) * 784), 100);
            for (let i = 0; i < 100; i++) {
              if (predicted[i] !== reference.predicted[start + i]) differing.push(start + i);
              largest = Math.max(largest, Math.abs(confidence[i] - reference.confidence[start + i]));
            }
          }
          t.deepEqual(differing, [], 'images where numpy predicts otherwise');
          t.true(largest < variant.within, `largest probability difference from numpy: ${largest}`);
        } finally {
          kernel.close();
        }
      });
    }
  }
}
