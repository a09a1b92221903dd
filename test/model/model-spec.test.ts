import test from 'ava';
import { InputError } from '../../src/errors.js';
import { parseModelSpec } from '../../src/model/model-spec.js';

test('a JSON model with every layer type, defaults filled in', (t) => {
  const spec = parseModelSpec({
    name: 'every-layer',
    input: [1, 28, 28],
    layers: [
      { type: 'convolution', W: 'W1', b: 'b1' },
      { type: 'relu' },
      { type: 'pooling', size: 2 },
      { type: 'pooling', mode: 'max', size: [2, 3], stride: 1 },
      { type: 'flatten' },
      { type: 'dropout', ratio: 0.25 },
      { type: 'affine', W: 'W2', b: 'b2' },
      { type: 'sigmoid' },
      { type: 'softmax' },
    ],
  }, 'net.json');
  t.deepEqual(spec, {
    name: 'every-layer',
    input: [1, 28, 28],
    layers: [
      { type: 'convolution', W: 'W1', b: 'b1', stride: 1, pad: 0 },
      { type: 'relu' },
      { type: 'pooling', mode: 'max', size: 2, stride: 2 },
      { type: 'pooling', mode: 'max', size: [2, 3], stride: 1 },
      { type: 'flatten' },
      { type: 'dropout', ratio: 0.25 },
      { type: 'affine', W: 'W2', b: 'b2' },
      { type: 'sigmoid' },
      { type: 'softmax' },
    ],
  });
});

test('a model without a name is named after its file', (t) => {
  t.is(parseModelSpec({ layers: [{ type: 'relu' }] }, 'net.json', 'net').name, 'net');
});

const invalid: Array<[string, unknown, string]> = [
  ['not an object', [1, 2], 'expected a JSON object with "layers", got [1,2]'],
  ['no layers', { name: 'x' }, '"layers" must be a non-empty list of layers, got nothing'],
  ['empty layers', { layers: [] }, '"layers" must be a non-empty list of layers, got []'],
  ['unknown top-level key', { layers: [{ type: 'relu' }], layer: [] }, 'unknown key "layer", expected name, input, layers or description'],
  ['bad input', { input: [1, 0, 28], layers: [{ type: 'relu' }] }, '"input" must be a shape such as [1, 28, 28] or [784], got [1,0,28]'],
  ['bad name', { name: 3, layers: [{ type: 'relu' }] }, '"name" must be a string, got 3'],
  ['layer not an object', { layers: ['relu'] }, 'layer 1: expected an object such as {"type": "relu"}, got "relu"'],
  ['unknown type', { layers: [{ type: 'relu' }, { type: 'gelu' }] }, 'layer 2: unknown type "gelu", expected one of affine, convolution, pooling, dropout, batch-norm, normalize, rescale, sigmoid, relu, tanh, softmax, log-softmax, flatten'],
  ['missing W', { layers: [{ type: 'affine', b: 'b1' }] }, 'layer 1 (affine): "W" must name an array of the weight file, got nothing'],
  ['W not a string', { layers: [{ type: 'convolution', W: 1, b: 'b1' }] }, 'layer 1 (convolution): "W" must name an array of the weight file, got 1'],
  ['zero stride', { layers: [{ type: 'convolution', W: 'W', b: 'b', stride: 0 }] }, 'layer 1 (convolution): "stride" must be a whole number of at least 1, got 0'],
  ['fractional pad', { layers: [{ type: 'convolution', W: 'W', b: 'b', pad: 0.5 }] }, 'layer 1 (convolution): "pad" must be a whole number of at least 0, got 0.5'],
  ['a typo in a key', { layers: [{ type: 'convolution', W: 'W', b: 'b', padding: 1 }] }, 'layer 1 (convolution): unknown key "padding", expected type, W, b, stride, pad'],
  ['pooling mode avg', { layers: [{ type: 'pooling', mode: 'avg', size: 2 }] }, 'layer 1 (pooling): "mode" must be "max" or "average", got "avg"'],
  ['transpose not a boolean', { layers: [{ type: 'affine', W: 'w', transpose: 1 }] }, 'layer 1 (affine): "transpose" must be true or false, got 1'],
  ['batch-norm without variance', { layers: [{ type: 'batch-norm', mean: 'm' }] }, 'layer 1 (batch-norm): "variance" must name an array of the weight file, got nothing'],
  ['negative epsilon', { layers: [{ type: 'batch-norm', mean: 'm', variance: 'v', epsilon: -1 }] }, 'layer 1 (batch-norm): "epsilon" must not be negative, got -1'],
  ['rescale without scale', { layers: [{ type: 'rescale', offset: 1 }] }, 'layer 1 (rescale): "scale" must be a number, got nothing'],
  ['pooling without size', { layers: [{ type: 'pooling' }] }, 'layer 1 (pooling): "size" must be a whole number or [height, width], got nothing'],
  ['pooling with 3 sizes', { layers: [{ type: 'pooling', size: [2, 2, 2] }] }, 'layer 1 (pooling): "size" must be a whole number or [height, width], got [2,2,2]'],
  ['dropout ratio 1', { layers: [{ type: 'dropout', ratio: 1 }] }, 'layer 1 (dropout): "ratio" must be a number in [0, 1), got 1'],
  ['dropout without ratio', { layers: [{ type: 'dropout' }] }, 'layer 1 (dropout): "ratio" must be a number in [0, 1), got nothing'],
  ['an activation with weights', { layers: [{ type: 'relu', W: 'W1' }] }, 'layer 1 (relu): unknown key "W", expected type'],
];

for (const [what, json, problem] of invalid) {
  test(`refuses a model with ${what}, naming the file and the layer`, (t) => {
    t.throws(() => parseModelSpec(json, 'net.json'), { instanceOf: InputError, message: `net.json: ${problem}` });
  });
}
