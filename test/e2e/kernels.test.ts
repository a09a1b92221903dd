/**
 * Every kernel on every worker count gives numpy's prediction for each of the 10,000 test images:
 * the book's sigmoid network normalised (0.9352) and left at 0..255 (0.9207), and the same weights
 * as a ReLU MLP.
 */
import test from 'ava';
import { lastValueFrom, reduce } from 'rxjs';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnThread } from '../../src/workers/threads.js';
import { createForwardKernel, type KernelName } from '../../src/kernels/forward-kernel.js';
import { batch } from '../../src/operators/batch.js';
import { forwardPass } from '../../src/operators/forward-pass.js';
import { forwardPassInWorkers } from '../../src/operators/forward-pass-workers.js';
import { readSamples$ } from '../../src/sources/mnist.js';
import { inferMlp } from '../../src/model/infer-mlp.js';
import { loadWeights } from '../../src/weights/load.js';
import { IMAGES_GZ as IMAGES, LABELS_GZ as LABELS, needsData, SAMPLE_WEIGHT as WEIGHTS } from '../helpers/data-dir.js';
import { MLP_REFERENCE as REFERENCE, numpyReference } from '../helpers/reference.js';

needsData(test);

let loaded: ReturnType<typeof loadWeights> | undefined;
const weights = () => (loaded ??= loadWeights(WEIGHTS));

const VARIANTS = [
  { name: 'sigmoid, normalised', activation: 'sigmoid', normalize: true, args: [], correct: 9352 },
  { name: 'sigmoid, pixels left at 0..255', activation: 'sigmoid', normalize: false, args: ['--no-normalize'], correct: 9207 },
  { name: 'relu, normalised', activation: 'relu', normalize: true, args: ['--activation', 'relu'], correct: undefined },
] as const;

const KERNELS: readonly KernelName[] = ['wasm-relaxed-simd-f32', 'wasm-simd-f32', 'js-f64'];

for (const variant of VARIANTS) {
  for (const kernel of KERNELS) {
    for (const workers of [0, 1, 2]) {
      test(`${variant.name}: ${kernel} on ${workers === 0 ? 'the main thread' : `${workers} worker${workers > 1 ? 's' : ''}`} predicts as numpy for all 10,000 images`, async (t) => {
        const network = inferMlp((await weights()).arrays, WEIGHTS, { inputSize: 784, activation: variant.activation });
        const plan = { batchSize: 100, normalize: variant.normalize, kernel, threads: 1, workers, shareWithMain: false };
        const predictions = await lastValueFrom(
          readSamples$(IMAGES, LABELS).pipe(
            batch(100),
            workers === 0 ? forwardPass(network, plan) : forwardPassInWorkers(network, plan, { coverStartUp: false }),
            reduce((all: number[], b) => {
              t.is(b.start, all.length, 'batches come in dataset order');
              all.push(...b.predicted);
              return all;
            }, []),
          ),
        );
        const reference = await numpyReference(REFERENCE, [IMAGES, LABELS, WEIGHTS, ...variant.args]);
        t.is(predictions.length, 10_000);
        const differing = predictions.flatMap((p, i) => (p === reference.predictions[i] ? [] : [i]));
        t.deepEqual(differing, [], `images where ${kernel} and numpy disagree`);
        if (variant.correct !== undefined) t.is(reference.correct, variant.correct);
      });
    }
  }
}

for (const variant of VARIANTS) {
  test(`${variant.name}: wasm-simd-f32 splitting each batch over 2 threads predicts as numpy for all 10,000 images`, async (t) => {
    const network = inferMlp((await weights()).arrays, WEIGHTS, { inputSize: 784, activation: variant.activation });
    const kernel = createForwardKernel(network, 'wasm-simd-f32', { normalize: variant.normalize, maxBatchSize: 100, threads: 2, helperThread: () => spawnThread('kernel-helper') });
    try {
      for (let waited = 0; kernel.threads < 2; waited += 10) {
        if (waited > 30_000) throw new Error('the helper thread did not start');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const pixels = gunzipSync(readFileSync(IMAGES)).subarray(16);
      const predictions: number[] = [];
      for (let start = 0; start < 10_000; start += 100) predictions.push(...kernel.forward(pixels.subarray(start * 784, (start + 100) * 784), 100).predicted);
      const reference = await numpyReference(REFERENCE, [IMAGES, LABELS, WEIGHTS, ...variant.args]);
      t.deepEqual(predictions.flatMap((p, i) => (p === reference.predictions[i] ? [] : [i])), []);
    } finally {
      kernel.close();
    }
  });
}
