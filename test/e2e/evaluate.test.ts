import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { PNG } from 'pngjs';
import { evaluation$ } from '../../pipelines/evaluate.js';
import { runEvaluation } from '../../pipelines/run-evaluation.js';
import { parseCliOptions } from '../../src/cli/options.js';
import { readSamples$ } from '../../src/sources/mnist.js';
import { inferMlp } from '../../src/model/infer-mlp.js';
import { loadWeights } from '../../src/weights/load.js';
import type { Network } from '../../src/nn/network.js';
import { IMAGES_GZ, LABELS_GZ, needsData, SAMPLE_WEIGHT as WEIGHTS } from '../helpers/data-dir.js';
import { REAL_IMAGES_RAW as IMAGES_RAW, REAL_LABELS_RAW as LABELS_RAW } from '../helpers/idx-fixtures.js';
import { MLP_REFERENCE as REFERENCE, numpyReference } from '../helpers/reference.js';

needsData(test);

let network: Promise<Network> | undefined;
const bookNetwork = () => (network ??= loadWeights(WEIGHTS).then((w) => inferMlp(w.arrays, WEIGHTS, { inputSize: 784 })));

async function evaluate(images: string, labels: string, batchSize = 100, normalize = true) {
  return lastValueFrom(evaluation$(readSamples$(images, labels), await bookNetwork(), { batchSize, normalize, mosaicCap: 10_000 }));
}

/** A zip holding both raw IDX files, made by python's zipfile (no binary in the repository). */
async function testSetZip(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'mnist-eval-e2e-')), 'mnist-test.zip');
  execFileSync('python3', ['-c', `import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for f in sys.argv[2:]: z.write(f, f.rsplit('/', 1)[-1])`, path, IMAGES_RAW, LABELS_RAW]);
  return path;
}

test('the book network scores 0.9352 on the gzip test set, as numpy does prediction for prediction', async (t) => {
  const reference = await numpyReference(REFERENCE, [IMAGES_GZ, LABELS_GZ, WEIGHTS]);
  const { evaluation, tiles, misclassified } = await evaluate(IMAGES_GZ, LABELS_GZ);
  t.is(evaluation.total, 10_000);
  t.is(evaluation.correct, 9352);
  t.is(misclassified, 648);
  t.deepEqual(evaluation.confusion, reference.confusion);
  const labels = readFileSync(LABELS_RAW).subarray(8);
  const wrongByNumpy = reference.predictions.flatMap((p, i) => (p === labels[i] ? [] : [{ index: i, predicted: p }]));
  t.deepEqual(tiles.map(({ index, predicted }) => ({ index, predicted })), wrongByNumpy);
});

test('gzip, raw and zip forms of the data give the same result', async (t) => {
  const zip = await testSetZip();
  const [gz, raw, zipped] = await Promise.all([evaluate(IMAGES_GZ, LABELS_GZ), evaluate(IMAGES_RAW, LABELS_RAW), evaluate(zip, zip)]);
  t.deepEqual(raw.evaluation.confusion, gz.evaluation.confusion);
  t.deepEqual(zipped.evaluation.confusion, gz.evaluation.confusion);
  t.deepEqual(zipped.tiles.map((w) => w.index), gz.tiles.map((w) => w.index));
});

for (const batchSize of [1, 7, 100, 10_000]) {
  test(`batch size ${batchSize} gives the same 9352 correct and the same errors`, async (t) => {
    const { evaluation, tiles } = await evaluate(IMAGES_GZ, LABELS_GZ, batchSize);
    t.is(evaluation.correct, 9352);
    const reference = await numpyReference(REFERENCE, [IMAGES_GZ, LABELS_GZ, WEIGHTS]);
    t.deepEqual(evaluation.confusion, reference.confusion);
    t.is(tiles.length, 648);
  });
}

test('pixels left at 0..255 give the classic 0.9207', async (t) => {
  const { evaluation } = await evaluate(IMAGES_GZ, LABELS_GZ, 100, false);
  const reference = await numpyReference(REFERENCE, [IMAGES_GZ, LABELS_GZ, WEIGHTS, '--no-normalize']);
  t.is(evaluation.correct, 9207);
  t.deepEqual(evaluation.confusion, reference.confusion);
});

test('the main job writes the report, the mosaic and its sidecar, and the predictions CSV', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'mnist-eval-run-'));
  const options = parseCliOptions([
    '--images', IMAGES_GZ, '--labels', LABELS_GZ, '--weights', WEIGHTS,
    '--mosaic', join(out, 'errors.png'), '--report', join(out, 'report.json'), '--predictions', join(out, 'predictions.csv'),
    '--mosaic-cap', '100',
  ]);
  const report = await runEvaluation(options, { log: () => {} });
  t.is(report.accuracy, 0.9352);
  t.is(report.misclassified, 648);
  t.is(report.mosaic.shown, 100);
  t.is(report.mosaic.leftOut, 548);
  t.deepEqual(report.perClass[0], { label: 0, total: 980, correct: 962, accuracy: 962 / 980 });
  const written = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  t.deepEqual(written.confusion, report.confusion);
  t.true(written.timing.forwardMs > 0 && written.timing.totalMs >= written.timing.forwardMs);

  const png = PNG.sync.read(await readFile(join(out, 'errors.png')));
  const sidecar = JSON.parse(await readFile(join(out, 'errors.tiles.json'), 'utf8'));
  t.is(sidecar.tiles.length, 100);
  t.is(sidecar.leftOut, 548);
  t.deepEqual([png.width, png.height], [sidecar.width, sidecar.height]);
  const first = sidecar.tiles[0];
  t.deepEqual([first.index, first.label, first.predicted], [8, 5, 6]);

  const reference = await numpyReference(REFERENCE, [IMAGES_GZ, LABELS_GZ, WEIGHTS]);
  const rows = (await readFile(join(out, 'predictions.csv'), 'utf8')).trimEnd().split('\n');
  t.is(rows[0], 'index,label,predicted,confidence');
  t.is(rows.length, 10_001);
  t.deepEqual(rows.slice(1).map((row) => Number(row.split(',')[2])), reference.predictions);
  t.regex(rows[1], /^0,7,7,0\.99\d{4}$/);
});
