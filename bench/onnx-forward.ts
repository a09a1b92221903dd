/**
 * The forward pass alone, warm, in one process: the ch. 3 network's .onnx file through
 * mnist-eval's kernel (the network the CLI loads from that file, the kernel it would pick) and
 * through onnxruntime-node (bench/onnxruntime-peer.mjs), over the 10,000 test images in batches
 * of 100. Rounds alternate (ours, then onnxruntime, `passes` passes each) after a warm-up, so a
 * busy moment hits both. Both sides' predictions must agree.
 *
 *     node --import tsx bench/onnx-forward.ts [--passes 20] [--rounds 3]
 *
 * Prints one JSON line: { node, kernel, oursMs: [...], onnxruntimeMs: [...] }.
 */
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { openSession, predictAll, scaledPixels } from './onnxruntime-peer.mjs';
import { IMAGES_GZ, ONNX_MODEL } from './measure.js';
import { createForwardKernel, resolveKernel } from '../src/kernels/forward-kernel.js';
import { loadModel } from '../src/model/load-model.js';

const { values } = parseArgs({ options: { passes: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
const PASSES = Number(values.passes);
const ROUNDS = Number(values.rounds);
const BATCH = 100;

const pixels = gunzipSync(readFileSync(IMAGES_GZ)).subarray(16);
const images = pixels.length / 784;
const { network } = await loadModel({ weights: ONNX_MODEL, imageShape: [28, 28] });
const kernelName = resolveKernel(network, 'auto');
const kernel = createForwardKernel(network, kernelName, { normalize: true, maxBatchSize: BATCH });
const predicted = new Int32Array(images);
const ours = (): number => {
  const started = performance.now();
  for (let start = 0; start < images; start += BATCH) predicted.set(kernel.forward(pixels.subarray(start * 784, (start + BATCH) * 784), BATCH).predicted, start);
  return performance.now() - started;
};
const peer = await openSession(ONNX_MODEL);
// onnxruntime takes float32 input: the x / 255 made once, outside its timing (as numpy's side).
const x = scaledPixels(pixels);
let theirs = await predictAll(peer, x, images);
for (let i = 0; i < 5; i++) ours(); // past V8's baseline tier
for (let i = 0; i < 2; i++) await predictAll(peer, x, images);

const oursMs: number[] = [];
const onnxruntimeMs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < PASSES; i++) oursMs.push(ours());
  for (let i = 0; i < PASSES; i++) {
    theirs = await predictAll(peer, x, images);
    onnxruntimeMs.push(theirs.ms);
  }
}
const differing = theirs.predicted.reduce((n, p, i) => n + (p === predicted[i] ? 0 : 1), 0);
kernel.close();
await peer.session.release();
if (differing > 0) throw new Error(`${differing} predictions differ between mnist-eval and onnxruntime-node`);
process.stdout.write(`${JSON.stringify({ node: process.version, kernel: kernelName, oursMs, onnxruntimeMs })}\n`);
