import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../../src/errors.js';
import { loadModel, readModel } from '../../src/model/load-model.js';
import { SIMPLE_CONVNET as SIMPLE_CONVNET_PRESET } from '../../src/model/presets.js';
import { DATA_DIR as DATA, SAMPLE_WEIGHT, SIMPLE_CONVNET, withData } from '../helpers/data-dir.js';
import { modelFixture } from '../helpers/model-fixtures.js';
import { weightFixture } from '../helpers/weight-fixtures.js';

const scratch = () => mkdtemp(join(tmpdir(), 'mnist-eval-model-'));

test('readModel: a preset by name, or a JSON file named after the file when it has no name', async (t) => {
  t.deepEqual(await readModel('simple-convnet'), { spec: SIMPLE_CONVNET_PRESET, source: 'preset' });
  const path = join(await scratch(), 'tiny-net.json');
  await writeFile(path, JSON.stringify({ layers: [{ type: 'affine', W: 'W1', b: 'b1' }, { type: 'softmax' }] }));
  const { spec, source } = await readModel(path);
  t.is(spec.name, 'tiny-net');
  t.is(source, path);
});

test('readModel: an unknown name is a usage error; a missing or broken file an input error', async (t) => {
  await t.throwsAsync(readModel('lenet'), { instanceOf: UsageError, message: "--model must be simple-convnet, deep-convnet or a JSON model file, got 'lenet'" });
  const dir = await scratch();
  await t.throwsAsync(readModel(join(dir, 'missing.json')), { instanceOf: InputError, message: 'missing.json: cannot read the model, no such file' });
  await writeFile(join(dir, 'broken.json'), '{"layers": [');
  await t.throwsAsync(readModel(join(dir, 'broken.json')), { instanceOf: InputError, message: /^broken\.json: not valid JSON: / });
});

test('a preset finds the book\'s weight file in the data folder, and says what to do when it is not there', withData(async (t) => {
  const { network, info } = await loadModel({ model: 'simple-convnet', imageShape: [28, 28], env: { MNIST_EVAL_DATA_DIR: DATA } });
  t.is(info.weights.path, SIMPLE_CONVNET);
  t.is(network.layers[0].kind, 'convolution');
  const empty = await scratch();
  await t.throwsAsync(loadModel({ model: 'deep-convnet', imageShape: [28, 28], env: { MNIST_EVAL_DATA_DIR: empty } }), {
    instanceOf: InputError,
    message: new RegExp(`^deep_convnet_params\\.pkl: not found in ${empty} or .*; give the weights of model deep-convnet with --weights, or set MNIST_EVAL_DATA_DIR`),
  });
}));

test('without --model, W1, b1 … are an MLP with the activation asked for', withData(async (t) => {
  const { info } = await loadModel({ weights: await weightFixture('mlp-relu.npz'), activation: 'relu', imageShape: [28, 28] });
  t.like(info, { name: 'mlp (inferred, relu)', source: 'inferred', parameters: 784 * 32 + 32 + 32 * 10 + 10, precision: 'float32', inputShape: [784] });
  t.deepEqual(info.layers, ['affine 784→32 (W1, b1)', 'relu', 'affine 32→10 (W2, b2)', 'softmax']);
  t.is(info.weights.format, 'npz');
  t.regex(info.weights.sha256, /^[0-9a-f]{64}$/);
}));

test('the deep-convnet fixture loads as the book\'s ch. 8 network', async (t) => {
  const weights = await modelFixture('deep-convnet.pkl');
  const { network, info } = await loadModel({ model: 'deep-convnet', weights, imageShape: [28, 28] });
  t.is(info.precision, 'float64');
  t.is(info.layers.length, 21);
  t.is(info.layers[15], 'affine 1024→50 (W7, b7)');
  t.is(network.outputSize, 10);
});

test('a JSON model whose layers do not fit the weights is refused at load', withData(async (t) => {
  await t.throwsAsync(loadModel({ model: await modelFixture('odd-mlp.json'), weights: SAMPLE_WEIGHT, imageShape: [28, 28] }), {
    instanceOf: InputError,
    message: 'sample_weight.pkl: model odd-mlp, layer 3 (affine W1, b1): W1 (784, 50) takes 784 inputs, but layer 2 (relu) gives (50,)',
  });
}));
