/**
 * The onnxruntime-node side of `npm run bench` and of test/e2e/onnxruntime.test.ts: an ONNX model
 * run over a gzip IDX pair as an onnxruntime user would write it, sharing no code with mnist-eval
 * (its own IDX decoding, x / 255 in float32, batches of 100, argmax), so that agreeing with it is
 * a second opinion and timing it is a peer.
 *
 *     node bench/onnxruntime-peer.mjs MODEL.onnx IMAGES.gz LABELS.gz [--limit N] [--passes N]
 *
 * Prints one JSON line: accuracy, correct, images, forwardMs (the batch loop, once) and, with
 * --passes N, warmMs (N more passes over the same images in this process). Plain JavaScript so
 * that a whole run is timed from spawn to exit without a TypeScript loader's start-up.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';

export const BATCH_SIZE = 100;

/** The payload of a gzip IDX file after checking its magic number (0x803 images, 0x801 labels). */
export function readIdxGz(path, magic) {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0) !== magic) throw new Error(`${path}: not an IDX file of magic 0x${magic.toString(16)}`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const data = bytes.subarray(4 + 4 * rank);
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${path}: ${data.length} bytes of data for dims ${dims.join('×')}`);
  return { dims, data };
}

/** onnxruntime's session on every core (its default intra-op threads), as a user would create it. */
export async function openSession(modelPath) {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: availableParallelism() });
  const [input] = session.inputMetadata;
  // The model's input dims after the batch: [784] for an MLP, [1, 28, 28] for a convnet.
  const shape = input.shape.slice(1).map(Number);
  return { session, inputName: input.name, outputName: session.outputNames[0], shape };
}

/** The images as x / 255 in float32 (as numpy's astype(float32) / 255), once. */
export function scaledPixels(pixels) {
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i] / 255;
  return x;
}

/**
 * One pass over `count` images in batches of 100: the argmax of every output row and its value.
 * Resolves to { predicted: Uint8Array, top1: Float32Array, ms }.
 */
export async function predictAll(peer, x, count) {
  const size = x.length / count;
  const predicted = new Uint8Array(count);
  const top1 = new Float32Array(count);
  const started = performance.now();
  for (let start = 0; start < count; start += BATCH_SIZE) {
    const n = Math.min(BATCH_SIZE, count - start);
    const input = new ort.Tensor('float32', x.subarray(start * size, (start + n) * size), [n, ...peer.shape]);
    const output = (await peer.session.run({ [peer.inputName]: input }))[peer.outputName];
    const classes = output.dims[1];
    const y = output.data;
    for (let row = 0; row < n; row++) {
      let best = 0;
      for (let k = 1; k < classes; k++) if (y[row * classes + k] > y[row * classes + best]) best = k;
      predicted[start + row] = best;
      top1[start + row] = y[row * classes + best];
    }
  }
  return { predicted, top1, ms: performance.now() - started };
}

/** The model over a gzip IDX pair: predictions, top-1 outputs, correct count and the batch loop's time. */
export async function evaluateOnnx(modelPath, imagesGz, labelsGz, { limit = Infinity, passes = 0 } = {}) {
  const images = readIdxGz(imagesGz, 0x803);
  const labels = readIdxGz(labelsGz, 0x801);
  const count = Math.min(images.dims[0], labels.dims[0], limit);
  const size = images.dims[1] * images.dims[2];
  const peer = await openSession(modelPath);
  const x = scaledPixels(images.data.subarray(0, count * size));
  const { predicted, top1, ms } = await predictAll(peer, x, count);
  let correct = 0;
  for (let i = 0; i < count; i++) if (predicted[i] === labels.data[i]) correct++;
  const warmMs = [];
  for (let pass = 0; pass < passes; pass++) warmMs.push((await predictAll(peer, x, count)).ms);
  await peer.session.release();
  return { predicted, top1, correct, images: count, forwardMs: ms, warmMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [model, imagesGz, labelsGz, ...rest] = process.argv.slice(2);
  const option = (name) => (rest.includes(name) ? Number(rest[rest.indexOf(name) + 1]) : undefined);
  const result = await evaluateOnnx(model, imagesGz, labelsGz, { limit: option('--limit'), passes: option('--passes') });
  const { correct, images, forwardMs, warmMs } = result;
  process.stdout.write(`${JSON.stringify({ accuracy: correct / images, correct, images, forwardMs, warmMs, onnxruntime: ort.env.versions.node })}\n`);
}
