/**
 * The forward pass alone, warm, in one process: the ch. 3 network's .onnx file through
 * mnist-eval's kernel (the network the CLI loads from that file, the kernel it would pick) and
 * through onnxruntime-node (bench/onnxruntime-peer.mjs, on every core), over the 10,000 test
 * images in batches of 100. Beside ours on one thread it runs:
 * - the same kernel on the same network read from `sample_weight.pkl`: the .onnx file builds the
 *   pickle's network bit for bit (test/model/ch03-formats-network.test.ts), so this pair shows
 *   what the sitting does to one plan, not a difference between the files;
 * - the .onnx network on the same kernel with `threads: 2` (one helper thread on the shared
 *   memory, as `--threads 2`), to compare two threads with onnxruntime's two.
 * Rounds alternate (our kernels in turn, then onnxruntime, `passes` passes each, the order of ours
 * rotated each round) after a warm-up, so a busy moment hits every side. Every kernel's predictions
 * and top-1 probabilities must be the one-thread .onnx kernel's, bit for bit, and its predictions
 * onnxruntime's.
 *
 *     node --import tsx bench/onnx-forward.ts [--passes 20] [--rounds 3]
 *
 * Prints one line per side and one JSON line last: { node, kernel, oursMs, pickleMs,
 * twoThreadsMs, onnxruntimeMs, onnxruntimeThreads }.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { openSession, predictAll, scaledPixels } from './onnxruntime-peer.mjs';
import { IMAGES_GZ, ONNX_MODEL, WEIGHTS } from './measure.js';
import { createForwardKernel, resolveKernel } from '../src/kernels/forward-kernel.js';
import type { ForwardKernel } from '../src/kernels/kernel.js';
import { loadModel } from '../src/model/load-model.js';
import { spawnThread } from '../src/workers/threads.js';

const { values } = parseArgs({ options: { passes: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
const PASSES = Number(values.passes);
const ROUNDS = Number(values.rounds);
const BATCH = 100;

const pixels = gunzipSync(readFileSync(IMAGES_GZ)).subarray(16);
const images = pixels.length / 784;
const { network } = await loadModel({ weights: ONNX_MODEL, imageShape: [28, 28] });
const { network: pickleNetwork } = await loadModel({ weights: WEIGHTS, imageShape: [28, 28] });
const kernelName = resolveKernel(network, 'auto');
if (resolveKernel(pickleNetwork, 'auto') !== kernelName) throw new Error(`the pickle's network runs on ${resolveKernel(pickleNetwork, 'auto')}, the .onnx one on ${kernelName}`);

interface Side {
  readonly label: string;
  readonly kernel: ForwardKernel;
  readonly ms: number[];
  readonly predicted: Int32Array;
  readonly confidence: Float32Array;
}
const side = (label: string, kernel: ForwardKernel): Side => ({ label, kernel, ms: [], predicted: new Int32Array(images), confidence: new Float32Array(images) });
const options = { normalize: true, maxBatchSize: BATCH } as const;
const onnxSide = side(`${kernelName}, 1 thread, ${ONNX_MODEL.split('/').pop()}`, createForwardKernel(network, kernelName, options));
const pickleSide = side(`${kernelName}, 1 thread, sample_weight.pkl`, createForwardKernel(pickleNetwork, kernelName, options));
const twoThreads = createForwardKernel(network, kernelName, { ...options, threads: 2, helperThread: () => spawnThread('kernel-helper') });
const twoSide = side(`${kernelName}, 2 threads, ${ONNX_MODEL.split('/').pop()}`, twoThreads);
const ours = [onnxSide, pickleSide, twoSide];

/** One pass over the test set; the last one's outputs are kept for the checks. */
function pass(s: Side): number {
  const started = performance.now();
  for (let start = 0; start < images; start += BATCH) {
    const out = s.kernel.forward(pixels.subarray(start * 784, (start + BATCH) * 784), BATCH);
    s.predicted.set(out.predicted, start);
    s.confidence.set(out.confidence, start);
  }
  return performance.now() - started;
}

// The helper thread starts in the background: wait for it, so that no timed pass runs on one.
for (let waited = 0; twoThreads.threads < 2; waited += 10) {
  if (waited > 30_000) throw new Error('the 2-thread kernel: its helper thread did not start within 30 s');
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const peer = await openSession(ONNX_MODEL);
// onnxruntime takes float32 input: the x / 255 made once, outside its timing (as numpy's side).
const x = scaledPixels(pixels);
let theirs = await predictAll(peer, x, images);
for (const s of ours) for (let i = 0; i < 5; i++) pass(s); // past V8's baseline tier
for (let i = 0; i < 2; i++) await predictAll(peer, x, images);

const onnxruntimeMs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (let j = 0; j < ours.length; j++) {
    const s = ours[(round + j) % ours.length];
    for (let i = 0; i < PASSES; i++) s.ms.push(pass(s));
  }
  for (let i = 0; i < PASSES; i++) {
    theirs = await predictAll(peer, x, images);
    onnxruntimeMs.push(theirs.ms);
  }
}
for (const s of ours) s.kernel.close();
await peer.session.release();

for (const s of ours.slice(1)) {
  const differing = s.predicted.reduce((n, p, i) => n + (p === onnxSide.predicted[i] && Object.is(s.confidence[i], onnxSide.confidence[i]) ? 0 : 1), 0);
  if (differing > 0) throw new Error(`${s.label}: ${differing} images' predictions or probabilities differ from ${onnxSide.label}'s`);
}
const differing = theirs.predicted.reduce((n, p, i) => n + (p === onnxSide.predicted[i] ? 0 : 1), 0);
if (differing > 0) throw new Error(`${differing} predictions differ between mnist-eval and onnxruntime-node`);

const median = (ms: readonly number[]): number => [...ms].sort((a, b) => a - b)[ms.length >> 1];
const line = (label: string, ms: readonly number[]): string => `${label}: median ${median(ms).toFixed(2)} ms, best ${Math.min(...ms).toFixed(2)} ms`;
console.log(`node ${process.version}; ${ROUNDS} rounds × ${PASSES} passes of ${images} images in batches of ${BATCH}; predictions equal on every side`);
for (const s of ours) console.log(line(s.label, s.ms));
console.log(line(`onnxruntime-node, ${availableParallelism()} threads`, onnxruntimeMs));
process.stdout.write(`${JSON.stringify({
  node: process.version,
  kernel: kernelName,
  oursMs: onnxSide.ms,
  pickleMs: pickleSide.ms,
  twoThreadsMs: twoSide.ms,
  onnxruntimeMs,
  onnxruntimeThreads: availableParallelism(),
})}\n`);
