/**
 * The forward kernels alone, warm, against numpy's forward pass, side by side in one sitting:
 * the book's ch. 3 network on the 10,000 test images in batches of 100, best of 20 passes.
 *
 *     npx tsx bench/kernel.ts [--passes 20] [--rounds 3]
 *     ~/.cache/mnist-eval/node-24.22.3/bin/node --import tsx bench/kernel.ts
 *
 * Each round runs numpy (one process, `passes` passes over the set, the x / 255 float32 images
 * made once before, as bench/numpy_mnist.py times it; then again on one OpenBLAS thread, for
 * reference: on a busy machine its two threads can collapse), then each of our WebAssembly kernels (one
 * instance made and warmed up once, `passes` passes of pixel batches). The rounds alternate so that
 * a busy moment hits both sides; each figure is the best pass over all rounds. Every kernel's
 * 10,000 predictions are checked against numpy's, and its confidences (top-1 probability) against
 * numpy's, printing the largest difference next to numpy's smallest top-1/top-2 gap.
 * Prints one line per kernel and a JSON line last (for `npm run bench`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createForwardKernel, type ForwardKernel, type KernelName } from '../src/kernels/forward-kernel.js';
import { spawnThread } from '../src/workers/threads.js';
import { relaxedSimdSupported } from '../src/wasm/module.js';
import { inferMlp } from '../src/model/infer-mlp.js';
import { loadWeights } from '../src/weights/load.js';
import { DATA_DIR, ROOT } from '../test/helpers/data-dir.js';

const { values } = parseArgs({ options: { passes: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
const PASSES = Number(values.passes);
const ROUNDS = Number(values.rounds);
const IMAGES = join(DATA_DIR, 't10k-images-idx3-ubyte.gz');
const WEIGHTS = join(DATA_DIR, 'sample_weight.pkl');
const BATCH = 100;

/** numpy's side: the book's predict (bench/book_network.py), timed pass by pass. */
const NUMPY = `
import gzip, json, pickle, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from book_network import predict
with gzip.open(sys.argv[2], 'rb') as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32)
x /= 255.0
with open(sys.argv[3], 'rb') as f:
    network = pickle.load(f)
passes = int(sys.argv[4])
times = []
for _ in range(passes):
    started = time.perf_counter()
    ys = [predict(network, x[i:i + 100]) for i in range(0, len(x), 100)]
    times.append((time.perf_counter() - started) * 1000)
y = np.concatenate(ys)
top2 = np.sort(y, axis=1)[:, -2:]
print(json.dumps({'ms': times, 'predicted': np.argmax(y, axis=1).tolist(), 'confidence': top2[:, 1].astype(float).tolist(),
                  'smallestGap': float(np.min(top2[:, 1] - top2[:, 0])), 'numpy': np.__version__}))
`;

interface NumpyPass {
  ms: number[];
  predicted: number[];
  confidence: number[];
  smallestGap: number;
  numpy: string;
}

/** The machine's environment less the OpenBLAS overrides that slow a current numpy (as bench/run.ts). */
const numpyEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
};

/** numpy's passes on its default threads, or on one (OPENBLAS_NUM_THREADS=1: what a busy machine leaves it). */
function numpyRound(threads?: 1): NumpyPass {
  const env = threads === undefined ? numpyEnv() : { ...numpyEnv(), OPENBLAS_NUM_THREADS: '1' };
  const out = execFileSync('python3', ['-c', NUMPY, join(ROOT, 'bench'), IMAGES, WEIGHTS, String(PASSES)], { env, maxBuffer: 1 << 26 });
  return JSON.parse(out.toString()) as NumpyPass;
}

const pixels = gunzipSync(readFileSync(IMAGES)).subarray(16);
const images = pixels.length / 784;
const network = inferMlp((await loadWeights(WEIGHTS)).arrays, WEIGHTS, { inputSize: 784, activation: 'sigmoid' });
const names: KernelName[] = ['wasm-simd-f32', ...(relaxedSimdSupported() ? (['wasm-relaxed-simd-f32'] as const) : [])];
const sideOf = (name: string, kernel: ForwardKernel) => ({ name, kernel, ms: [] as number[], predicted: new Int32Array(images), confidence: new Float32Array(images) });
const kernels = names.map((name) => sideOf(name, createForwardKernel(network, name, { normalize: true, maxBatchSize: BATCH })));
// The fastest build again on two threads (`--threads 2`: a helper thread takes part of each batch),
// as numpy runs on its two; a busy machine can make it the slower (README, Kernels).
const fastest = names.at(-1)!;
const twoThreads = createForwardKernel(network, fastest, { normalize: true, maxBatchSize: BATCH, threads: 2, helperThread: () => spawnThread('kernel-helper') });
kernels.push(sideOf(`${fastest}, 2 threads (\`--threads 2\`)`, twoThreads));
// The helper starts in the background: no timed pass may run before it takes part.
for (let waited = 0; twoThreads.threads < 2; waited += 10) {
  if (waited > 30_000) throw new Error('the 2-thread kernel: its helper thread did not start within 30 s');
  await new Promise((resolve) => setTimeout(resolve, 10));
}

/** One pass over the test set; the last one's outputs are kept for the check. */
function pass(k: (typeof kernels)[number]): number {
  const started = performance.now();
  for (let start = 0; start < images; start += BATCH) {
    const out = k.kernel.forward(pixels.subarray(start * 784, (start + BATCH) * 784), BATCH);
    k.predicted.set(out.predicted, start);
    k.confidence.set(out.confidence, start);
  }
  return performance.now() - started;
}

const load = loadavg()[0];
for (const k of kernels) for (let i = 0; i < 5; i++) pass(k); // past V8's baseline tier
const numpyMs: number[] = [];
const numpyOneThreadMs: number[] = [];
let reference: NumpyPass | undefined;
for (let round = 0; round < ROUNDS; round++) {
  reference = numpyRound();
  numpyMs.push(...reference.ms);
  numpyOneThreadMs.push(...numpyRound(1).ms);
  for (const k of kernels) for (let i = 0; i < PASSES; i++) k.ms.push(pass(k));
}
const ref = reference!;
const best = (ms: readonly number[]): number => Math.min(...ms);
const median = (ms: readonly number[]): number => [...ms].sort((a, b) => a - b)[ms.length >> 1];
const numpyBest = best(numpyMs);
console.log(`node ${process.version}, numpy ${ref.numpy}; load ${load.toFixed(2)} → ${loadavg()[0].toFixed(2)}; ${ROUNDS} rounds × ${PASSES} passes of ${images} images in batches of ${BATCH}`);
console.log(`numpy: best ${numpyBest.toFixed(2)} ms, median ${median(numpyMs).toFixed(2)} ms (on 1 thread: best ${best(numpyOneThreadMs).toFixed(2)} ms, median ${median(numpyOneThreadMs).toFixed(2)} ms); smallest top-1/top-2 gap ${ref.smallestGap.toExponential(2)}`);
const results = kernels.map((k) => {
  const differing = ref.predicted.flatMap((p, i) => (p === k.predicted[i] ? [] : [i]));
  let largest = 0;
  for (let i = 0; i < images; i++) largest = Math.max(largest, Math.abs(k.confidence[i] - ref.confidence[i]));
  const result = { kernel: k.name, bestMs: best(k.ms), medianMs: median(k.ms), ratio: best(k.ms) / numpyBest, medianRatio: median(k.ms) / median(numpyMs), ratioOneThread: best(k.ms) / best(numpyOneThreadMs), differing: differing.length, largestConfidenceDifference: largest };
  console.log(`${k.name}: best ${result.bestMs.toFixed(2)} ms (${result.ratio.toFixed(2)}× numpy), median ${result.medianMs.toFixed(2)} ms (${result.medianRatio.toFixed(2)}×), best against numpy on 1 thread ${result.ratioOneThread.toFixed(2)}×; predictions differing from numpy's: ${differing.length}; largest confidence difference ${largest.toExponential(2)}`);
  k.kernel.close();
  return result;
});
console.log(JSON.stringify({ node: process.version, numpy: ref.numpy, loadAverage: load, numpyBestMs: numpyBest, numpyMedianMs: median(numpyMs), numpyOneThreadBestMs: best(numpyOneThreadMs), numpyOneThreadMedianMs: median(numpyOneThreadMs), smallestGap: ref.smallestGap, kernels: results }));
if (results.some((r) => r.differing > 0)) process.exitCode = 1;
