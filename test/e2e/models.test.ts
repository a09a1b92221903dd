/**
 * Every kind of weight file and model through the streaming pipeline, prediction for prediction
 * against numpy (test/reference/*.py), on the MNIST test set.
 */
import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEvaluation } from '../../pipelines/run-evaluation.js';
import { parseCliOptions } from '../../src/cli/options.js';
import { InputError } from '../../src/errors.js';
import {
  CONVNET_REFERENCE, disagreement, IMAGES_GZ, LABELS_GZ, MLP_REFERENCE, modelFixture, predictionsOf, SAMPLE_WEIGHT, SIMPLE_CONVNET,
} from '../helpers/model-fixtures.js';
import { numpyReference } from '../helpers/reference.js';
import { weightFixture } from '../helpers/weight-fixtures.js';
import { needsData } from '../helpers/data-dir.js';

needsData(test);

const sampleReference = () => numpyReference(MLP_REFERENCE, [IMAGES_GZ, LABELS_GZ, SAMPLE_WEIGHT]);

test('numpy scores sample_weight.pkl 0.9352, the predictions the other encodings must give', async (t) => {
  const reference = await sampleReference();
  t.is(reference.correct, 9352);
  const ours = await predictionsOf({ weights: SAMPLE_WEIGHT });
  t.deepEqual(disagreement(ours.predictions, reference.predictions), { count: 0, first: [] });
});

// The sample network saved every way make-weights.py saves it: protocols 2-5, float64, big-endian,
// C and Fortran order, Python 2 strings, .npz stored and compressed, .npy format versions 1-3.
const encodings: ReadonlyArray<readonly [string, 'float32' | 'float64', 'pickle' | 'npz']> = [
  ['sample-p2.pkl', 'float32', 'pickle'],
  ['sample-p4.pkl', 'float32', 'pickle'],
  ['sample-p5.pkl', 'float32', 'pickle'],
  ['sample-py2.pkl', 'float32', 'pickle'],
  ['sample-c.pkl', 'float32', 'pickle'],
  ['sample-fortran.pkl', 'float32', 'pickle'],
  ['sample-be.pkl', 'float32', 'pickle'],
  ['sample-be-p5.pkl', 'float32', 'pickle'],
  ['sample-f64.pkl', 'float64', 'pickle'],
  ['sample-be-f64-c-p5.pkl', 'float64', 'pickle'],
  ['sample.npz', 'float32', 'npz'],
  ['sample-compressed.npz', 'float32', 'npz'],
  ['sample-be-f64.npz', 'float64', 'npz'],
  ['sample-versions.npz', 'float32', 'npz'],
];

for (const [name, precision, format] of encodings) {
  test(`${name} gives exactly the predictions of sample_weight.pkl (${precision})`, async (t) => {
    const [reference, ours] = await Promise.all([sampleReference(), predictionsOf({ weights: await weightFixture(name) })]);
    t.is(ours.model.network.precision, precision);
    t.is(ours.model.info.weights.format, format);
    t.is(ours.correct, 9352);
    t.deepEqual(disagreement(ours.predictions, reference.predictions), { count: 0, first: [] });
  });
}

test('--precision overrides the file: float64 weights computed in float32 and the reverse', async (t) => {
  const reference = await sampleReference();
  const down = await predictionsOf({ weights: await weightFixture('sample-f64.pkl'), precision: 'float32' });
  const up = await predictionsOf({ weights: SAMPLE_WEIGHT, precision: 'float64' });
  t.is(down.model.network.precision, 'float32');
  t.is(up.model.network.precision, 'float64');
  t.deepEqual(disagreement(down.predictions, reference.predictions).count, 0);
  t.deepEqual(disagreement(up.predictions, reference.predictions).count, 0);
});

const mlps: ReadonlyArray<[string, 'sigmoid' | 'relu']> = [
  ['mlp-relu.pkl', 'relu'],
  ['mlp-relu.npz', 'relu'],
  ['mlp4.pkl', 'sigmoid'],
  ['mlp4.pkl', 'relu'],
  ['mlp4.npz', 'sigmoid'],
];

for (const [name, activation] of mlps) {
  test(`${name} with ${activation} hidden layers agrees with numpy prediction for prediction`, async (t) => {
    const pickle = await weightFixture(name.replace('.npz', '.pkl'));
    const [reference, ours] = await Promise.all([
      numpyReference(MLP_REFERENCE, [IMAGES_GZ, LABELS_GZ, pickle, '--activation', activation]),
      predictionsOf({ weights: await weightFixture(name), activation }),
    ]);
    t.deepEqual(disagreement(ours.predictions, reference.predictions), { count: 0, first: [] });
    t.deepEqual(ours.confusion, reference.confusion);
    t.is(ours.model.info.layers.filter((layer) => layer.startsWith('affine')).length, name.startsWith('mlp4') ? 4 : 2);
  });
}

test('the ch. 7 simple convnet scores 0.9600 on the 10,000 test images, numpy\'s predictions exactly', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'mnist-eval-models-'));
  const options = parseCliOptions([
    '--images', IMAGES_GZ, '--labels', LABELS_GZ, '--model', 'simple-convnet', '--weights', SIMPLE_CONVNET,
    '--mosaic', join(out, 'errors.png'), '--report', join(out, 'report.json'), '--predictions', join(out, 'predictions.csv'),
  ]);
  const [reference, report] = await Promise.all([
    numpyReference(CONVNET_REFERENCE, [IMAGES_GZ, LABELS_GZ, SIMPLE_CONVNET, 'simple-convnet']),
    runEvaluation(options, { log: () => {} }),
  ]);
  t.log(`simple-convnet, 10,000 images: total ${Math.round(report.timing.totalMs)} ms, forward pass ${Math.round(report.timing.forwardMs)} ms`);
  t.is(reference.correct, 9600);
  t.is(report.accuracy, 0.96);
  t.is(report.misclassified, 400);
  const rows = (await readFile(join(out, 'predictions.csv'), 'utf8')).trimEnd().split('\n').slice(1);
  t.deepEqual(disagreement(rows.map((row) => Number(row.split(',')[2])), reference.predictions), { count: 0, first: [] });
  t.deepEqual(report.confusion, reference.confusion);

  t.like(report.model, {
    name: 'simple-convnet',
    source: 'preset',
    parameters: 30 * 25 + 30 + 4320 * 100 + 100 + 100 * 10 + 10,
    precision: 'float64',
    inputShape: [1, 28, 28],
    weights: { path: SIMPLE_CONVNET, sha256: 'a5da99cffddafcfe5e686e79dc0ec3a7cc993b58e64f483b50960511e5e85344', format: 'pickle' },
  });
  t.deepEqual(report.model.layers, [
    'convolution 30×1×5×5 stride 1 pad 0 → 30×24×24 (W1, b1)',
    'relu',
    'pooling max 2×2 stride 2 → 30×12×12',
    'affine 4320→100 (W2, b2)',
    'relu',
    'affine 100→10 (W3, b3)',
    'softmax',
  ]);
  const written = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  t.deepEqual(written.model, JSON.parse(JSON.stringify(report.model)));
  t.is(written.normalize, true);
});

test('the ch. 8 deep convnet (fixed random weights) agrees with numpy on the first 500 images', async (t) => {
  const weights = await modelFixture('deep-convnet.pkl');
  const [reference, ours] = await Promise.all([
    numpyReference(CONVNET_REFERENCE, [IMAGES_GZ, LABELS_GZ, weights, 'deep-convnet', '--limit', '500']),
    predictionsOf({ model: 'deep-convnet', weights }, { limit: 500 }),
  ]);
  t.log(`deep-convnet, 500 images: ${Math.round(ours.ms)} ms`);
  t.is(ours.total, 500);
  t.deepEqual(disagreement(ours.predictions, reference.predictions), { count: 0, first: [] });
  t.is(ours.model.info.parameters, 16 * 9 + 16 + 16 * 16 * 9 + 16 + 32 * 16 * 9 + 32 + 32 * 32 * 9 + 32 + 64 * 32 * 9 + 64 + 64 * 64 * 9 + 64 + 1024 * 50 + 50 + 50 * 10 + 10);
  t.is(ours.model.network.layers.filter((layer) => layer.kind === 'dropout').length, 2);
});

test('a JSON model (stride 2, pad 1, sigmoid, 2×3 pooling, flatten, dropout; big-endian Fortran filters in an .npz) agrees with numpy', async (t) => {
  const [model, weights] = await Promise.all([modelFixture('odd-convnet.json'), modelFixture('odd-convnet.npz')]);
  // The book's im2col makes float64 columns, so numpy computes the convolution in float64 even for
  // float32 weights; --precision float64 does the same.
  const [reference, ours] = await Promise.all([
    numpyReference(CONVNET_REFERENCE, [IMAGES_GZ, LABELS_GZ, weights, model]),
    predictionsOf({ model, weights, precision: 'float64' }),
  ]);
  t.deepEqual(disagreement(ours.predictions, reference.predictions), { count: 0, first: [] });
  t.is(ours.model.info.name, 'odd-convnet');
  t.is(ours.model.info.source, model);
  t.deepEqual(ours.model.info.inputShape, [1, 28, 28]);
});

test('a JSON MLP with dropout over sample_weight.pkl agrees with numpy in float32', async (t) => {
  const model = await modelFixture('sample-dropout.json');
  const [reference, ours] = await Promise.all([
    numpyReference(CONVNET_REFERENCE, [IMAGES_GZ, LABELS_GZ, SAMPLE_WEIGHT, model]),
    predictionsOf({ model, weights: SAMPLE_WEIGHT }),
  ]);
  t.is(ours.model.network.precision, 'float32');
  t.deepEqual(ours.model.info.inputShape, [784]);
  t.is(reference.correct, 9357);
  t.deepEqual(disagreement(ours.predictions, reference.predictions), { count: 0, first: [] });
});

test('--no-normalize feeds the convnet raw 0..255 pixels, as numpy without the / 255', async (t) => {
  const [reference, ours] = await Promise.all([
    numpyReference(CONVNET_REFERENCE, [IMAGES_GZ, LABELS_GZ, SIMPLE_CONVNET, 'simple-convnet', '--limit', '1000', '--no-normalize']),
    predictionsOf({ model: 'simple-convnet', weights: SIMPLE_CONVNET }, { limit: 1000, normalize: false }),
  ]);
  t.deepEqual(disagreement(ours.predictions, reference.predictions), { count: 0, first: [] });
  t.true(ours.correct < 960, `raw pixels should hurt, got ${ours.correct} of 1000`);
});

test('a model that does not fit its weights fails before any image is read, naming the layer and both shapes', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'mnist-eval-models-'));
  const run = (args: string[]) => runEvaluation(parseCliOptions([
    '--images', IMAGES_GZ, '--labels', LABELS_GZ, '--mosaic', join(out, 'errors.png'), '--report', join(out, 'report.json'), ...args,
  ]), { log: () => {} });
  await t.throwsAsync(run(['--model', 'simple-convnet', '--weights', SAMPLE_WEIGHT]), {
    instanceOf: InputError,
    message: 'sample_weight.pkl: model simple-convnet, layer 1 (convolution W1, b1): W1 must hold filters FN × C × FH × FW, got (784, 50)',
  });
  await t.throwsAsync(run(['--weights', SIMPLE_CONVNET]), {
    instanceOf: InputError,
    message: /^simple_convnet_params\.pkl: W1 must be a 2-D matrix to infer an MLP, got shape \(30, 1, 5, 5\): filters of a convolutional network, give its model with --model/,
  });
  await t.throwsAsync(run(['--model', await modelFixture('odd-mlp.json'), '--weights', SAMPLE_WEIGHT]), {
    instanceOf: InputError,
    message: 'sample_weight.pkl: model odd-mlp, layer 3 (affine W1, b1): W1 (784, 50) takes 784 inputs, but layer 2 (relu) gives (50,)',
  });
});
