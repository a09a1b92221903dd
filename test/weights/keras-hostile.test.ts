/**
 * Keras files a reader must refuse, each with one line naming the file and the problem: configs
 * rebuilt around the real model.weights.h5 (layers and options outside the vocabulary, graphs
 * that are not a chain, weights missing or of the wrong shape), broken archives, and HDF5 bytes
 * cut, flipped or patched.
 */
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { MAX_MODEL_BYTES } from '../../src/model/model-json.js';
import { readKerasArchive } from '../../src/weights/keras/keras-archive.js';
import type { WeightLoadOptions } from '../../src/weights/decode-array.js';
import { FORMATS_DIR, needsData } from '../helpers/data-dir.js';
import { editedKeras, real, storedZip, written, zipEntries, type Source } from './keras-fixtures.js';

needsData(test);

type Json = Record<string, any>;

const refuses = async (t: ExecutionContext, read: Promise<unknown>, source: Source, problem: string): Promise<void> => {
  await t.throwsAsync(read, { instanceOf: InputError, message: `${source.file}: ${problem}` });
};
const archiveRefuses = (t: ExecutionContext, source: Source, problem: string, options?: WeightLoadOptions) =>
  refuses(t, readKerasArchive(source, options), source, problem);

const layer = (config: Json, name: string): Json => config.config.layers.find((l: Json) => l.config.name === name);

const SUPPORTED = 'InputLayer, Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dropout, Activation, ReLU, Softmax, Rescaling and Normalization';

/** ch03's Sequential config rewritten as Keras 3 writes a Functional one: each layer called on the previous output. */
function functional(config: Json, inputs: (i: number, names: string[]) => string[] = (i, names) => [names[i - 1]]): Json {
  const layers: Json[] = config.config.layers;
  const names = layers.map((l) => l.config.name);
  const tensor = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 1], dtype: 'float32', keras_history: [name, 0, 0] } });
  return {
    module: 'keras.src.models.functional', class_name: 'Functional',
    config: {
      name: config.config.name, trainable: true,
      layers: layers.map((l, i) => ({ ...l, name: names[i], inbound_nodes: i === 0 ? [] : [{ args: inputs(i, names).map(tensor), kwargs: {} }] })),
      input_layers: [[names[0], 0, 0]], output_layers: [[names[names.length - 1], 0, 0]],
    },
  };
}

test('a functional chain gives the same model as the Sequential', async (t) => {
  const sequential = await readKerasArchive(real('ch03.keras'));
  const chain = await readKerasArchive(editedKeras('ch03', (config) => functional(config)));
  t.deepEqual(chain.spec, sequential.spec);
  t.deepEqual(chain.arrays, sequential.arrays);
});

test('Rescaling and a Normalization with its mean and variance in the config', async (t) => {
  const weights = await readKerasArchive(editedKeras('ch03', (config) => {
    config.config.layers.splice(1, 0,
      { class_name: 'Rescaling', config: { name: 'scale', scale: 1 / 255, offset: 0 } },
      { class_name: 'Normalization', config: { name: 'norm', axis: -1, mean: 0.5, variance: 0.25, invert: false } },
      { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } });
    layer(config, 'fc1').config.activation = 'linear';
    config.config.layers.splice(5, 0, { class_name: 'Activation', config: { name: 'act', activation: 'tanh' } });
  }));
  t.deepEqual(weights.spec?.layers.slice(0, 4), [
    { type: 'rescale', scale: 1 / 255, offset: 0 },
    { type: 'normalize', mean: 'norm/mean', variance: 'norm/variance' },
    { type: 'affine', W: 'fc1/kernel', b: 'fc1/bias' }, { type: 'tanh' },
  ]);
  t.deepEqual(weights.arrays.get('norm/mean'), { shape: [784], dtype: 'float32', data: new Float32Array(784).fill(0.5) });
  t.deepEqual(weights.arrays.get('norm/variance'), { shape: [784], dtype: 'float32', data: new Float32Array(784).fill(0.25) });
});

const configCases: Array<[string, 'ch03' | 'ch07', (config: Json) => Json | string | void, string]> = [
  ['an LSTM layer', 'ch03', (c) => { c.config.layers.splice(1, 0, { class_name: 'LSTM', config: { name: 'lstm', units: 10 } }); },
    `layer 'lstm' (LSTM) is not supported; supported layers: ${SUPPORTED}`],
  ['a Dense with activation gelu', 'ch03', (c) => { layer(c, 'fc2').config.activation = 'gelu'; },
    "layer 'fc2' (Dense): activation 'gelu' is not supported, expected linear, relu, sigmoid, tanh, softmax or log_softmax"],
  ['padding same with stride 2', 'ch07', (c) => { Object.assign(layer(c, 'conv1').config, { padding: 'same', strides: [2, 2] }); },
    "layer 'conv1' (Conv2D): padding 'same' with kernel 5×5 and stride 2 pads unevenly, which is not supported (only an odd square kernel with stride 1)"],
  ['different strides along height and width', 'ch07', (c) => { layer(c, 'conv1').config.strides = [1, 2]; },
    "layer 'conv1' (Conv2D): 'strides' [1,2]: different strides along height and width are not supported"],
  ['a dilated convolution', 'ch07', (c) => { layer(c, 'conv1').config.dilation_rate = [2, 2]; },
    "layer 'conv1' (Conv2D): 'dilation_rate' [2,2] is not supported, only 1"],
  ['a grouped convolution', 'ch07', (c) => { layer(c, 'conv1').config.groups = 2; }, "layer 'conv1' (Conv2D): 'groups' 2 is not supported, only 1"],
  ['channels_first', 'ch07', (c) => { layer(c, 'pool1').config.data_format = 'channels_first'; },
    "layer 'pool1' (MaxPooling2D): data_format \"channels_first\" is not supported, only 'channels_last'"],
  ['pooling with padding same', 'ch07', (c) => { layer(c, 'pool1').config.padding = 'same'; },
    "layer 'pool1' (MaxPooling2D): padding \"same\" is not supported, only 'valid'"],
  ['a softmax over the channels of an image', 'ch07', (c) => { layer(c, 'conv1').config.activation = 'softmax'; },
    "layer 'conv1' (Conv2D): activation 'softmax' over the channels of an image is not supported, only over a flat output"],
  ['a Dense on a 3-D input', 'ch07', (c) => { c.config.layers = c.config.layers.filter((l: Json) => l.class_name !== 'Flatten'); },
    "layer 'fc1' (Dense): takes a 3-D input (12, 12, 30); a Dense is supported on a flat input only (add a Flatten)"],
  ['a ReLU with max_value', 'ch03', (c) => { c.config.layers.splice(2, 0, { class_name: 'ReLU', config: { name: 'relu6', max_value: 6 } }); },
    "layer 'relu6' (ReLU): 'max_value' 6 is not supported"],
  ['a leaky ReLU', 'ch03', (c) => { c.config.layers.splice(2, 0, { class_name: 'ReLU', config: { name: 'leaky', negative_slope: 0.1 } }); },
    "layer 'leaky' (ReLU): 'negative_slope' is 0.1, only 0 is supported"],
  ['a per-channel Rescaling', 'ch03', (c) => { c.config.layers.splice(1, 0, { class_name: 'Rescaling', config: { name: 'r', scale: [1, 2] } }); },
    "layer 'r' (Rescaling): 'scale' must be one number, got [1,2]"],
  ['a Normalization with a negative variance', 'ch03', (c) => { c.config.layers.splice(1, 0, { class_name: 'Normalization', config: { name: 'n', mean: 0, variance: -1 } }); },
    "layer 'n' (Normalization): variance[0] is -1, a variance cannot be negative"],
  ['a branching functional model', 'ch03', (c) => functional(c, (i, names) => [names[i === 2 ? 0 : i - 1]]),
    "config.json: layer 'fc2' (Dense) takes 'input', not the output of the previous layer 'fc1': the model is not a simple chain"],
  ['a layer taking two outputs', 'ch03', (c) => functional(c, (i, names) => (i === 3 ? ['fc2', 'fc1'] : [names[i - 1]])),
    "config.json: layer 'fc3' (Dense) takes 'fc2' and 'fc1', not the output of the previous layer 'fc2': the model is not a simple chain"],
  ['a functional model with two outputs', 'ch03', (c) => { const f = functional(c); f.config.output_layers.push(['fc2', 0, 0]); return f; },
    "config.json: the model outputs 'fc3', 'fc2', expected the one output of its last layer 'fc3'"],
  ['a layer without weights in the file', 'ch03', (c) => { layer(c, 'fc2').config.name = 'hidden'; },
    "layer 'hidden' (Dense): no weights found: model.weights.h5 has no layers/…/vars group whose name attribute is 'hidden'"],
  ['a var of the wrong shape', 'ch03', (c) => { layer(c, 'fc1').config.units = 51; },
    "layer 'fc1' (Dense): kernel layers/dense/vars/0 has shape (784, 50), expected (784, 51)"],
  ['a Dense without a bias whose file has one', 'ch03', (c) => { layer(c, 'fc1').config.use_bias = false; },
    "layer 'fc1' (Dense): the file holds 2 weights for it, expected 1 (kernel)"],
  ['a model that is not Sequential or Functional', 'ch03', (c) => { c.class_name = 'LSTM'; },
    "config.json: the model is a 'LSTM', expected a Sequential or a Functional model"],
  ['a model without an input shape', 'ch03', (c) => { c.config.layers.shift(); delete c.config.build_input_shape; delete c.build_config; },
    'config.json: the model declares no input shape (no InputLayer, no batch_shape)'],
  ['a config nested too deep', 'ch03', () => `${'['.repeat(40)}${']'.repeat(40)}`,
    'config.json: nested more than 32 levels deep at character 32, deeper than any model'],
  ['a config over the size limit', 'ch03', (c) => JSON.stringify(c).padEnd(MAX_MODEL_BYTES + 1, ' '),
    `config.json holds ${MAX_MODEL_BYTES + 1} bytes, more than the limit of ${MAX_MODEL_BYTES}`],
];

for (const [title, model, edit, problem] of configCases) {
  test(`.keras: ${title}`, async (t) => {
    await archiveRefuses(t, editedKeras(model, edit), problem);
  });
}

test('.keras: config.json that is not JSON', async (t) => {
  const source = editedKeras('ch03', () => '{"class_name": ');
  await t.throwsAsync(readKerasArchive(source), { instanceOf: InputError, message: new RegExp(`^${source.file}: config\\.json: not valid JSON: `) });
});

test('.keras: an archive without config.json or model.weights.h5', async (t) => {
  await archiveRefuses(t, editedKeras('ch03', () => undefined, ['config.json']), "a .keras archive without config.json (it holds 'metadata.json', 'model.weights.h5')");
  await archiveRefuses(t, editedKeras('ch03', () => undefined, ['model.weights.h5']), "a .keras archive without model.weights.h5 (it holds 'metadata.json', 'config.json')");
});

test('.keras: a model.weights.h5 that is not HDF5, and a metadata.json that is not an object', async (t) => {
  const entries = zipEntries(`${FORMATS_DIR}/ch03.keras`);
  const notHdf5 = written('not-hdf5.keras', storedZip([...entries].map(([name, data]) => [name, name === 'model.weights.h5' ? new Uint8Array(100) : data])));
  await archiveRefuses(t, notHdf5, 'model.weights.h5 does not start with the HDF5 signature \\x89HDF\\r\\n\\x1a\\n');
  const badMetadata = written('bad-metadata.keras', storedZip([...entries].map(([name, data]) => [name, name === 'metadata.json' ? Buffer.from('[1]') : data])));
  await archiveRefuses(t, badMetadata, 'metadata.json is not a JSON object');
});


test('same padding of an odd kernel at stride 1 pads (k - 1) / 2, and the next shapes follow it', async (t) => {
  // conv1 5×5 'same' keeps 28 × 28, so the Dense after the pool would take 14·14·30 = 5880 values.
  await archiveRefuses(t, editedKeras('ch07', (c) => { layer(c, 'conv1').config.padding = 'same'; }),
    "layer 'fc1' (Dense): kernel layers/dense/vars/0 has shape (4320, 100), expected (5880, 100)");
});

test('AveragePooling2D is an average pooling', async (t) => {
  const weights = await readKerasArchive(editedKeras('ch07', (c) => { layer(c, 'pool1').class_name = 'AveragePooling2D'; }));
  t.deepEqual(weights.spec?.layers[2], { type: 'pooling', mode: 'average', size: 2, stride: 2 });
});
