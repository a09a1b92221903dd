import test from 'ava';
import { InputError } from '../../src/errors.js';
import { buildNetwork } from '../../src/model/build-network.js';
import { inferMlpSpec } from '../../src/model/infer-mlp-spec.js';
import type { WeightArrays } from '../../src/weights/nd-array.js';
import { f32 } from '../helpers/model-fixtures.js';

const fourLayers: WeightArrays = new Map([
  ['W1', f32([784, 64])], ['b1', f32([64])], ['W2', f32([64, 32])], ['b2', f32([32])],
  ['W3', f32([32, 16])], ['b3', f32([16])], ['W4', f32([16, 10])], ['b4', f32([10])],
]);

test('W1, b1 … W4, b4 give four affine layers, the activation between them and softmax last', (t) => {
  const spec = inferMlpSpec(fourLayers, 'mlp4.pkl', 'relu');
  t.is(spec.name, 'mlp (inferred, relu)');
  t.deepEqual(spec.layers.map((layer) => layer.type), ['affine', 'relu', 'affine', 'relu', 'affine', 'relu', 'affine', 'softmax']);
  t.deepEqual(spec.layers[4], { type: 'affine', W: 'W3', b: 'b3' });
  t.deepEqual(inferMlpSpec(fourLayers, 'mlp4.pkl').layers[1], { type: 'sigmoid' });
  const network = buildNetwork(spec, fourLayers, { file: 'mlp4.pkl', imageShape: [28, 28] });
  t.deepEqual(network.inputShape, [784]);
  t.is(network.outputSize, 10);
});

const refuse = (t: import('ava').ExecutionContext, arrays: WeightArrays, message: string) =>
  t.throws(() => inferMlpSpec(arrays, 'net.pkl'), { instanceOf: InputError, message: `net.pkl: ${message}` });

test('names that do not make an MLP', (t) => {
  const noB2 = new Map(fourLayers);
  noB2.delete('b2');
  refuse(t, noB2, 'W2 has no matching b2');
  const gap = new Map(fourLayers);
  gap.delete('W3');
  gap.delete('b3');
  refuse(t, gap, 'layer numbering has a gap: W4 found but W3 and b3 are missing');
  refuse(t, new Map(), 'no layers found: expected arrays W1, b1, W2, b2 …, got nothing');
  refuse(t, new Map([['scale', f32([2])]]), 'cannot tell the layers apart: scale holds scale (2,), expected one weight array and at most one bias; describe the model with --model');
  t.deepEqual(inferMlpSpec(new Map([['weights', f32([2, 2])]]), 'net.pkl').layers, [{ type: 'affine', W: 'weights' }, { type: 'softmax' }], 'other names: 2-D arrays in order');
});

test('4-D filters point to --model', (t) => {
  const convnet: WeightArrays = new Map([['W1', f32([30, 1, 5, 5])], ['b1', f32([30])]]);
  refuse(t, convnet, 'W1 must be a 2-D matrix to infer an MLP, got shape (30, 1, 5, 5): filters of a convolutional network, give its model with --model (simple-convnet, deep-convnet or a JSON file)');
  refuse(t, new Map([['W1', f32([3])], ['b1', f32([3])]]), 'W1 must be a 2-D matrix to infer an MLP, got shape (3,)');
});
