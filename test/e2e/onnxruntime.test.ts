/**
 * onnxruntime-node as a second opinion: the same .onnx files of the data folder's formats/ run over
 * the 10,000 test images by onnxruntime itself, in this process (bench/onnxruntime-peer.mjs: its
 * own IDX decoding, x / 255 in float32, batches of 100, argmax), and by mnist-eval's CLI with
 * --weights the same file. Every prediction must be the same, every top-1 probability within 1e-5.
 * The benchmark times the same peer (bench/README.md); nothing here is timed.
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateOnnx } from '../../bench/onnxruntime-peer.mjs';
import { mnistEval } from '../helpers/cli.js';
import { FORMATS_DIR, IMAGES_GZ, LABELS_GZ, needsData } from '../helpers/data-dir.js';
import type { Report } from '../../src/types.js';

needsData(test);


/** The CLI's predictions.csv as predicted classes and confidences, in dataset order. */
async function ours(model: string): Promise<{ predicted: number[]; top1: number[]; report: Report }> {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-onnxruntime-'));
  try {
    const run = await mnistEval(['--weights', model, '--no-mosaic', '--report', join(dir, 'report.json'), '--predictions', join(dir, 'predictions.csv'), '--quiet']);
    if (run.code !== 0) throw new Error(`mnist-eval exited with ${run.code}: ${run.stderr}`);
    const rows = (await readFile(join(dir, 'predictions.csv'), 'utf8')).trim().split('\n').slice(1).map((row) => row.split(','));
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
    return { predicted: rows.map((row) => Number(row[2])), top1: rows.map((row) => Number(row[3])), report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const file of ['ch03_legacy.onnx', 'ch03_dynamo.onnx', 'ch07.onnx']) {
  test(`${file}: onnxruntime-node's 10,000 predictions are ours`, async (t) => {
    const model = join(FORMATS_DIR, file);
    const [peer, mine] = await Promise.all([evaluateOnnx(model, IMAGES_GZ, LABELS_GZ), ours(model)]);
    t.is(peer.images, 10_000);
    t.is(mine.predicted.length, 10_000);
    const differing = mine.predicted.flatMap((p, i) => (p === peer.predicted[i] ? [] : [i]));
    t.deepEqual(differing, [], 'images whose prediction differs from onnxruntime-node');
    let drift = 0;
    for (let i = 0; i < peer.images; i++) drift = Math.max(drift, Math.abs(mine.top1[i] - peer.top1[i]));
    t.true(drift < 1e-5, `largest difference from onnxruntime's top-1 probability: ${drift}`);
    t.is(mine.report.correct, peer.correct);
    t.is(mine.report.model.weights.format, 'onnx');
  });
}

test('the peer decodes the IDX files itself and refuses a labels file given as images', async (t) => {
  await t.throwsAsync(evaluateOnnx(join(FORMATS_DIR, 'ch03_legacy.onnx'), LABELS_GZ, LABELS_GZ), { message: /not an IDX file of magic 0x803/ });
});
