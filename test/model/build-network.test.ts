import test from 'ava';
import { InputError } from '../../src/errors.js';
import { buildNetwork } from '../../src/model/build-network.js';
import type { ModelSpec } from '../../src/model/model-spec.js';
import { DEEP_CONVNET, SIMPLE_CONVNET } from '../../src/model/presets.js';
import { describeLayers, parameterCount } from '../../src/nn/network.js';
import type { WeightArrays } from '../../src/weights/nd-array.js';
import { f32, f64 } from '../helpers/model-fixtures.js';

/** Arrays of the shapes the book's ch. 7 params.pkl holds. */
const simpleConvnetArrays = (make = f64): WeightArrays => new Map([
  ['W1', make([30, 1, 5, 5])], ['b1', make([30])],
  ['W2', make([4320, 100])], ['b2', make([100])],
  ['W3', make([100, 10])], ['b3', make([10])],
]);

const build = (spec: ModelSpec, arrays: WeightArrays, imageShape: [number, number] = [28, 28], precision?: 'float32' | 'float64') =>
  buildNetwork(spec, arrays, { file: 'params.pkl', imageShape, precision });

test('simple-convnet: the shapes of ch. 7, layer by layer, from a 28×28 image', (t) => {
  const network = build(SIMPLE_CONVNET, simpleConvnetArrays());
  t.deepEqual(network.inputShape, [1, 28, 28]);
  t.is(network.inputSize, 784);
  t.is(network.outputSize, 10);
  t.is(network.precision, 'float64');
  t.deepEqual(describeLayers(network), [
    'convolution 30×1×5×5 stride 1 pad 0 → 30×24×24 (W1, b1)',
    'relu',
    'pooling max 2×2 stride 2 → 30×12×12',
    'affine 4320→100 (W2, b2)',
    'relu',
    'affine 100→10 (W3, b3)',
    'softmax',
  ]);
  t.is(parameterCount(network), 433_890);
});

test('deep-convnet: six convolutions, three poolings, 64×4×4 = 1024 into the first affine layer', (t) => {
  const filters: Array<[number, number]> = [[16, 1], [16, 16], [32, 16], [32, 32], [64, 32], [64, 64]];
  const arrays: WeightArrays = new Map(filters.flatMap(([fn, c], i) => [[`W${i + 1}`, f64([fn, c, 3, 3])], [`b${i + 1}`, f64([fn])]] as const));
  arrays.set('W7', f64([1024, 50])).set('b7', f64([50])).set('W8', f64([50, 10])).set('b8', f64([10]));
  const network = build(DEEP_CONVNET, arrays);
  const shapes = network.layers.flatMap((layer) => (layer.kind === 'convolution' || layer.kind === 'pooling' ? [layer.outputShape.join('×')] : []));
  t.deepEqual(shapes, ['16×28×28', '16×28×28', '16×14×14', '32×14×14', '32×16×16', '32×8×8', '64×8×8', '64×8×8', '64×4×4']);
  t.deepEqual(network.layers.filter((l) => l.kind === 'dropout'), [{ kind: 'dropout', ratio: 0.5, scale: 0.5 }, { kind: 'dropout', ratio: 0.5, scale: 0.5 }]);
  t.is(network.layers.at(-1)!.kind, 'softmax');
});

test('filters are stored as the book\'s col_W, (C·FH·FW) × FN', (t) => {
  const arrays = simpleConvnetArrays();
  arrays.set('W1', f64([30, 1, 5, 5], (i) => i));
  const conv = build(SIMPLE_CONVNET, arrays).layers[0];
  if (conv.kind !== 'convolution') return t.fail();
  t.deepEqual([conv.W.rows, conv.W.cols], [25, 30]);
  t.is(conv.W.data[0 * 30 + 1], 25); // element 0 of filter 1
  t.is(conv.W.data[24 * 30 + 29], 749); // element 24 of filter 29
});

test('precision: float64 only when every array used is float64, unless asked', (t) => {
  t.is(build(SIMPLE_CONVNET, simpleConvnetArrays(f64)).precision, 'float64');
  t.is(build(SIMPLE_CONVNET, simpleConvnetArrays(f32)).precision, 'float32');
  const mixed = simpleConvnetArrays(f64).set('b3', f32([10]));
  t.is(build(SIMPLE_CONVNET, mixed).precision, 'float32');
  const up = build(SIMPLE_CONVNET, simpleConvnetArrays(f32), [28, 28], 'float64');
  t.is(up.precision, 'float64');
  t.true(up.layers.every((layer) => !('W' in layer) || (layer.W.data instanceof Float64Array && layer.b instanceof Float64Array)));
  const down = build(SIMPLE_CONVNET, simpleConvnetArrays(f64), [28, 28], 'float32');
  t.true(down.layers.every((layer) => !('W' in layer) || (layer.W.data instanceof Float32Array && layer.b instanceof Float32Array)));
});

test('dropout scales by 1 − ratio rounded to the precision, as numpy multiplies a float32 array by a Python float', (t) => {
  const spec: ModelSpec = { name: 'm', layers: [{ type: 'affine', W: 'W', b: 'b' }, { type: 'dropout', ratio: 0.3 }] };
  const arrays: WeightArrays = new Map([['W', f32([4, 2])], ['b', f32([2])]]);
  const in32 = build(spec, arrays, [2, 2]).layers[1];
  const in64 = build(spec, arrays, [2, 2], 'float64').layers[1];
  t.deepEqual(in32, { kind: 'dropout', ratio: 0.3, scale: Math.fround(0.7) });
  t.deepEqual(in64, { kind: 'dropout', ratio: 0.3, scale: 1 - 0.3 });
});

test('input shape: [1, H, W] for a model with convolution or pooling, [H·W] otherwise, or as the model says', (t) => {
  const mlp: ModelSpec = { name: 'mlp', layers: [{ type: 'affine', W: 'W', b: 'b' }, { type: 'softmax' }] };
  const arrays: WeightArrays = new Map([['W', f32([12, 2])], ['b', f32([2])]]);
  t.deepEqual(build(mlp, arrays, [3, 4]).inputShape, [12]);
  const pooled: ModelSpec = { name: 'pooled', layers: [{ type: 'pooling', size: 2 }, { type: 'affine', W: 'W', b: 'b' }] };
  const small: WeightArrays = new Map([['W', f32([2, 2])], ['b', f32([2])]]);
  t.deepEqual(build(pooled, small, [3, 4]).inputShape, [1, 3, 4]);
  t.deepEqual(build({ ...mlp, input: [1, 3, 4] }, arrays, [3, 4]).inputShape, [1, 3, 4]);
  t.throws(() => build({ ...mlp, input: [1, 28, 28] }, arrays, [3, 4]), {
    instanceOf: InputError,
    message: 'params.pkl: model mlp, expects input (1, 28, 28), but 3×4 images give (1, 3, 4)',
  });
});

const throwsMessage = (t: import('ava').ExecutionContext, run: () => unknown, message: string) => t.throws(run, { instanceOf: InputError, message });

test('images of another size: the layer that no longer fits names both shapes', (t) => {
  throwsMessage(t, () => build(SIMPLE_CONVNET, simpleConvnetArrays(), [32, 32]),
    'params.pkl: model simple-convnet, layer 4 (affine W2, b2): W2 (4320, 100) takes 4320 inputs, but layer 3 (pooling) gives (30, 14, 14) = 5880');
  throwsMessage(t, () => build(SIMPLE_CONVNET, simpleConvnetArrays(), [4, 4]),
    'params.pkl: model simple-convnet, layer 1 (convolution W1, b1): W1 (30, 1, 5, 5) with pad 0 does not fit in 4×4, as the 4×4 images give (1, 4, 4) = 16');
});

test('weights that do not fit: channels, filters, biases, matrices', (t) => {
  throwsMessage(t, () => build(SIMPLE_CONVNET, simpleConvnetArrays().set('W1', f64([30, 3, 5, 5]))),
    'params.pkl: model simple-convnet, layer 1 (convolution W1, b1): W1 (30, 3, 5, 5) takes 3 channels, but the 28×28 images give (1, 28, 28) = 784');
  throwsMessage(t, () => build(SIMPLE_CONVNET, simpleConvnetArrays().set('W1', f64([784, 50]))),
    'params.pkl: model simple-convnet, layer 1 (convolution W1, b1): W1 must hold filters FN × C × FH × FW, got (784, 50)');
  throwsMessage(t, () => build(SIMPLE_CONVNET, simpleConvnetArrays().set('b1', f64([31]))),
    'params.pkl: model simple-convnet, layer 1 (convolution W1, b1): b1 (31,) does not match W1 (30, 1, 5, 5): expected (30,)');
  throwsMessage(t, () => build(SIMPLE_CONVNET, simpleConvnetArrays().set('W3', f64([100, 10, 1]))),
    'params.pkl: model simple-convnet, layer 6 (affine W3, b3): W3 must be a 2-D matrix (in × out), got (100, 10, 1)');
  throwsMessage(t, () => build(SIMPLE_CONVNET, simpleConvnetArrays().set('W3', f64([99, 10]))),
    'params.pkl: model simple-convnet, layer 6 (affine W3, b3): W3 (99, 10) takes 99 inputs, but layer 5 (relu) gives (100,)');
  const missing = simpleConvnetArrays();
  missing.delete('b2');
  throwsMessage(t, () => build(SIMPLE_CONVNET, missing),
    'params.pkl: model simple-convnet, layer 4 (affine W2, b2): no array b2 in the weight file, which holds W1, b1, W2, W3, b3');
});

test('layers in an order that cannot work: a convolution after an affine layer, softmax over a C × H × W volume', (t) => {
  const arrays: WeightArrays = new Map([['W', f32([4, 4])], ['b', f32([4])], ['K', f32([2, 1, 1, 1])], ['k', f32([2])]]);
  throwsMessage(t, () => build({ name: 'm', layers: [{ type: 'affine', W: 'W', b: 'b' }, { type: 'convolution', W: 'K', b: 'k' }] }, arrays, [2, 2]),
    'params.pkl: model m, layer 2 (convolution K, k): needs a C × H × W input, but layer 1 (affine) gives (4,)');
  throwsMessage(t, () => build({ name: 'm', layers: [{ type: 'convolution', W: 'K', b: 'k' }, { type: 'softmax' }] }, arrays, [2, 2]),
    'params.pkl: model m, layer 2 (softmax): needs a flat input (softmax over the classes), but layer 1 (convolution) gives (2, 2, 2) = 8; put a flatten layer before it');
  throwsMessage(t, () => build({ name: 'm', layers: [{ type: 'pooling', size: [3, 1] }] }, arrays, [2, 2]),
    'params.pkl: model m, layer 1 (pooling): a 3×1 window does not fit in 2×2, as the 2×2 images give (1, 2, 2) = 4');
  const flattened = build({ name: 'm', layers: [{ type: 'convolution', W: 'K', b: 'k' }, { type: 'flatten' }, { type: 'softmax' }] }, arrays, [2, 2]);
  t.is(flattened.outputSize, 8);
});
