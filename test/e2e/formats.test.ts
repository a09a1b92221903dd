/**
 * The weight files of the data folder's formats/, written by the real frameworks (torch, its ONNX
 * exporters, Keras 3, safetensors), through the command line: each must give exactly the 10,000
 * predictions the framework itself computed (expected/<file>.json), with the probability of every
 * wrong class within 1e-5 of the framework's, and bad/ must be refused without running anything.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMATS_DIR, needsData } from '../helpers/data-dir.js';
import { mnistEval } from '../helpers/cli.js';
import type { Report, WeightFormat } from '../../src/types.js';

needsData(test);


interface Expected {
  readonly predictions: string;
  readonly misclassified: readonly number[];
  readonly top1: readonly number[];
  readonly correct: number;
}

/** The framework's results: JSON fields, some of them stored as Python-printed lists. */
function expected(path: string): Expected {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const list = (value: unknown): number[] => (typeof value === 'string' ? JSON.parse(value) : value) as number[];
  return { predictions: json.predictions, misclassified: list(json.misclassified), top1: list(json.misclassified_top1_prob), correct: json.correct };
}

interface Case {
  readonly file: string;
  readonly args?: readonly string[];
  readonly format: WeightFormat;
  readonly expected?: string;
  readonly dataset?: readonly string[];
}

const CASES: readonly Case[] = [
  { file: 'ch03.safetensors', format: 'safetensors' },
  { file: 'ch03_torch.safetensors', format: 'safetensors' },
  { file: 'ch03_state_dict.pt', format: 'torch-zip' },
  { file: 'ch03_state_dict_legacy.pt', format: 'torch-legacy' },
  { file: 'ch03_dynamo.onnx', format: 'onnx' },
  { file: 'ch03_legacy.onnx', format: 'onnx' },
  { file: 'ch03.keras', format: 'keras' },
  { file: 'ch03.h5', format: 'keras-h5' },
  { file: 'ch03.weights.h5', format: 'keras-weights-h5' },
  { file: 'ch07_state_dict.pt', args: ['--model', 'simple-convnet'], format: 'torch-zip' },
  { file: 'ch07_torch.safetensors', args: ['--model', 'simple-convnet'], format: 'safetensors' },
  { file: 'ch07.onnx', format: 'onnx' },
  { file: 'ch07.keras', format: 'keras' },
  ...['fashion_mlp.onnx', 'fashion_mlp.npz'].map((file) => ({
    file: `fashion/${file}`,
    args: file.endsWith('.npz') ? ['--activation', 'relu'] : [],
    format: (file.endsWith('.npz') ? 'npz' : 'onnx') as WeightFormat,
    expected: join(FORMATS_DIR, 'fashion/fashion_mlp.expected.json'),
    dataset: ['--dataset', 'fashion-test'],
  })),
];

test('every model file of formats/ has a case here', async (t) => {
  const files = (await readdir(FORMATS_DIR)).filter((name) => /\.(pt|onnx|keras|h5|safetensors)$/.test(name));
  t.deepEqual(files.filter((name) => !CASES.some((c) => c.file === name)), []);
});

for (const c of CASES) {
  test(`${c.file}: the framework's 10,000 predictions, through the CLI`, async (t) => {
    const want = expected(c.expected ?? join(FORMATS_DIR, 'expected', `${c.file}.json`));
    const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-formats-'));
    const run = await mnistEval([
      '--weights', join(FORMATS_DIR, c.file), ...(c.args ?? []), ...(c.dataset ?? []),
      '--no-mosaic', '--report', join(dir, 'report.json'), '--predictions', join(dir, 'predictions.csv'), '--quiet',
    ]);
    t.is(run.code, 0, run.stderr);
    const rows = (await readFile(join(dir, 'predictions.csv'), 'utf8')).trim().split('\n').slice(1).map((row) => row.split(','));
    t.is(rows.map((row) => row[2]).join(''), want.predictions);
    const wrong = rows.filter((row) => row[1] !== row[2]);
    t.deepEqual(wrong.map((row) => Number(row[0])), want.misclassified);
    const drift = Math.max(...wrong.map((row, i) => Math.abs(Number(row[3]) - want.top1[i])));
    t.true(drift < 1e-5, `largest difference from the framework's probability: ${drift}`);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
    t.is(report.correct, want.correct);
    t.is(report.model.weights.format, c.format);
    t.is(report.model.output, 'probabilities');
    t.deepEqual(report.model.preprocess, ['x / 255']);
  });
}

test('bad/ch03_full_model.pt: a whole pickled model is refused by name, nothing run, nothing written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-formats-'));
  const run = await mnistEval(['--weights', join(FORMATS_DIR, 'bad/ch03_full_model.pt'), '--quiet'], { cwd: dir });
  t.is(run.code, 1);
  t.regex(run.stderr, /^mnist-eval: ch03_full_model\.pt: .*__main__\.MLP.*state_dict\(\).*\n$/);
  t.deepEqual(await readdir(dir), []);
});
