/**
 * The layers other frameworks' files bring (#13), built and run: a torch out × in matrix, a layer
 * without a bias, average pooling, tanh, batch-norm, Keras's Normalization and Rescaling, a model
 * that ends in logits, and the pixels' preparation (--mean/--std, a leading Rescaling).
 */
import test from 'ava';
import { InputError } from '../../src/errors.js';
import { bindPreset } from '../../src/model/bind-preset.js';
import { buildNetwork, type BuildOptions } from '../../src/model/build-network.js';
import { inferMlpSpec } from '../../src/model/infer-mlp-spec.js';
import type { ModelSpec } from '../../src/model/model-spec.js';
import { parameterGroups } from '../../src/model/parameter-groups.js';
import { SIMPLE_CONVNET } from '../../src/model/presets.js';
import { describePixelSteps, pixelSteps, pixelTable } from '../../src/nn/input.js';
import { describeLayers, type Network } from '../../src/nn/network.js';
import { predict } from '../../src/nn/predict.js';
import type { WeightArrays } from '../../src/weights/nd-array.js';
import { f32, f64 } from '../helpers/model-fixtures.js';

const build = (spec: ModelSpec, arrays: WeightArrays, options: Partial<BuildOptions> = {}): Network =>
  buildNetwork(spec, arrays, { file: 'w.bin', imageShape: [2, 2], ...options });

const run = (network: Network, x: number[]): number[] => [...predict(network, { rows: 1, cols: x.length, data: Float64Array.from(x) }).data];

test('affine with transpose: an out × in matrix (torch Linear) gives x·Wᵀ + b', (t) => {
  // W is 2 outputs × 4 inputs.
  const arrays: WeightArrays = new Map([['fc.weight', f64([2, 4], (i) => i)], ['fc.bias', f64([2], (i) => 10 * i)]]);
  const network = build({ name: 't', layers: [{ type: 'affine', W: 'fc.weight', b: 'fc.bias', transpose: true }] }, arrays);
  t.deepEqual(describeLayers(network), ['affine 4→2 (fc.weight, fc.bias)', 'softmax']);
  const logits = [0 * 1 + 1 * 2 + 2 * 3 + 3 * 4, 10 + 4 * 1 + 5 * 2 + 6 * 3 + 7 * 4];
  const e = logits.map((v) => Math.exp(v - Math.max(...logits)));
  const sum = e[0] + e[1];
  t.deepEqual(run(network, [1, 2, 3, 4]), e.map((v) => v / sum));
  t.is(network.output, 'logits');
});

test('a layer without a bias adds zeros; the transposed shape is checked against its input', (t) => {
  const arrays: WeightArrays = new Map([['w', f64([4, 3], () => 1)]]);
  const network = build({ name: 't', layers: [{ type: 'affine', W: 'w' }, { type: 'softmax' }] }, arrays);
  t.deepEqual(run(network, [1, 0, 0, 0]), [1 / 3, 1 / 3, 1 / 3]);
  t.is(network.output, 'probabilities');
  t.throws(() => build({ name: 't', layers: [{ type: 'affine', W: 'w', transpose: true }] }, arrays), {
    instanceOf: InputError,
    message: 'w.bin: model t, layer 1 (affine w): w (4, 3) takes 3 inputs, but the 2×2 images give (4,)',
  });
});

test('average pooling, tanh and a log-softmax end (scored as logits)', (t) => {
  const arrays: WeightArrays = new Map([['w', f64([1, 1, 1, 1], () => 1)]]);
  const spec: ModelSpec = {
    name: 't',
    layers: [{ type: 'convolution', W: 'w' }, { type: 'pooling', mode: 'average', size: 2 }, { type: 'tanh' }, { type: 'flatten' }, { type: 'log-softmax' }],
  };
  const network = build(spec, arrays);
  t.deepEqual(describeLayers(network), ['convolution 1×1×1×1 stride 1 pad 0 → 1×2×2 (w)', 'pooling average 2×2 stride 2 → 1×1×1', 'tanh', 'flatten', 'softmax']);
  t.is(network.output, 'logits');
  t.deepEqual(run(network, [1, 2, 3, 4]), [1]);
  t.throws(() => build({ name: 't', layers: [{ type: 'log-softmax' }, { type: 'relu' }] }, arrays), { message: 'w.bin: model t, layer 1 (log-softmax): a log-softmax must be the last layer' });
});

test('batch-norm: (x − mean) / √(var + ε) · scale + shift per channel, and a per-channel length check', (t) => {
  const arrays: WeightArrays = new Map([['m', f64([4], (i) => i)], ['v', f64([4], () => 3)], ['g', f64([4], () => 2)], ['s', f64([4], () => 1)]]);
  const spec: ModelSpec = { name: 't', layers: [{ type: 'batch-norm', mean: 'm', variance: 'v', scale: 'g', shift: 's', epsilon: 1 }, { type: 'softmax' }] };
  const network = build(spec, arrays, { precision: 'float64' });
  const y = [5, 5, 5, 5].map((x, c) => ((x - c) / 2) * 2 + 1);
  const e = y.map((v) => Math.exp(v - Math.max(...y)));
  t.deepEqual(run(network, [5, 5, 5, 5]), e.map((v) => v / e.reduce((a, b) => a + b)));
  const short: WeightArrays = new Map([['m', f64([3])], ['v', f64([3])]]);
  t.throws(() => build({ name: 't', layers: [{ type: 'normalize', mean: 'm', variance: 'v' }] }, short), {
    message: 'w.bin: model t, layer 1 (normalize m, v): m (3,) must hold one value per channel: (4,), as the 2×2 images give (4,)',
  });
});

test('a leading rescale takes raw pixels: it becomes the last step of the pixels, x / 255 dropped', (t) => {
  const arrays: WeightArrays = new Map([['w', f32([4, 2])]]);
  const spec: ModelSpec = { name: 't', layers: [{ type: 'rescale', scale: 1 / 255, offset: 0 }, { type: 'affine', W: 'w' }, { type: 'softmax' }] };
  const network = build(spec, arrays);
  t.deepEqual(pixelSteps(network, true), [{ op: 'rescale', scale: 1 / 255, offset: 0 }]);
  t.is(pixelTable(pixelSteps(network, true))[255], Math.fround(Math.fround(255 * (1 / 255)) + 0));
  t.deepEqual(describeLayers(network), ['affine 4→2 (w)', 'softmax']);
  const plain = build({ name: 't', layers: [{ type: 'affine', W: 'w' }] }, arrays, { standardize: { mean: 0.1307, std: 0.3081 } });
  t.deepEqual(describePixelSteps(pixelSteps(plain, true)), ['x / 255', '(x - 0.1307) / 0.3081']);
  t.deepEqual(describePixelSteps(pixelSteps(plain, false)), ['(x - 0.1307) / 0.3081']);
});

test('pixelTable: x / 255 in float32 as numpy, then torchvision Normalize in float32', (t) => {
  const table = pixelTable([{ op: 'divide', by: 255 }, { op: 'standardize', mean: 0.5, std: 0.25 }]);
  t.is(table[0], Math.fround(-0.5 / 0.25));
  t.is(table[128], Math.fround(Math.fround(Math.fround(128 / 255) - 0.5) / 0.25));
  t.deepEqual([...pixelTable(pixelSteps({}, false)).subarray(0, 3)], [0, 1, 2]);
  t.deepEqual(describePixelSteps([]), ['raw pixels (0..255)']);
});

test('parameterGroups: one layer per prefix, in the order the file names them; ambiguous layers refused', (t) => {
  const torch: WeightArrays = new Map([['fc1.weight', f32([3, 4])], ['fc1.bias', f32([3])], ['fc2.bias', f32([2])], ['fc2.weight', f32([2, 3])]]);
  t.deepEqual(parameterGroups(torch, 'sd.pt'), [
    { prefix: 'fc1', weights: 'fc1.weight', rank: 2, bias: 'fc1.bias' },
    { prefix: 'fc2', weights: 'fc2.weight', rank: 2, bias: 'fc2.bias' },
  ]);
  const bn: WeightArrays = new Map([['bn.weight', f32([3])], ['bn.bias', f32([3])], ['bn.running_mean', f32([3])]]);
  t.throws(() => parameterGroups(bn, 'sd.pt'), {
    message: 'sd.pt: cannot tell the layers apart: bn holds bn.weight (3,), bn.bias (3,), bn.running_mean (3,), expected one weight array and at most one bias; describe the model with --model',
  });
});

test('an MLP inferred from torch names is transposed; from Keras vars paths it is not', (t) => {
  const torch: WeightArrays = new Map([['fc1.weight', f32([3, 4])], ['fc1.bias', f32([3])], ['fc2.weight', f32([2, 3])], ['fc2.bias', f32([2])]]);
  t.deepEqual(inferMlpSpec(torch, 'sd.pt', 'relu', 'out-in').layers, [
    { type: 'affine', W: 'fc1.weight', b: 'fc1.bias', transpose: true }, { type: 'relu' },
    { type: 'affine', W: 'fc2.weight', b: 'fc2.bias', transpose: true }, { type: 'softmax' },
  ]);
  const keras: WeightArrays = new Map([['layers/dense/vars/0', f32([4, 3])], ['layers/dense/vars/1', f32([3])]]);
  t.deepEqual(inferMlpSpec(keras, 'w.weights.h5').layers, [{ type: 'affine', W: 'layers/dense/vars/0', b: 'layers/dense/vars/1' }, { type: 'softmax' }]);
  const conv: WeightArrays = new Map([['conv1.weight', f32([30, 1, 5, 5])], ['conv1.bias', f32([30])]]);
  t.throws(() => inferMlpSpec(conv, 'sd.pt', 'sigmoid', 'out-in'), { message: /conv1\.weight must be a 2-D matrix to infer an MLP, got shape \(30, 1, 5, 5\): filters of a convolutional network/ });
});

test('bindPreset: simple-convnet over a torch state dict takes its layers in order', (t) => {
  const torch: WeightArrays = new Map([
    ['conv1.weight', f32([30, 1, 5, 5])], ['conv1.bias', f32([30])],
    ['fc1.weight', f32([100, 4320])], ['fc1.bias', f32([100])],
    ['fc2.weight', f32([10, 100])], ['fc2.bias', f32([10])],
  ]);
  const bound = bindPreset(SIMPLE_CONVNET, torch, 'sd.pt', 'out-in');
  t.deepEqual(bound.layers.filter((layer) => 'W' in layer), [
    { type: 'convolution', W: 'conv1.weight', b: 'conv1.bias', stride: 1, pad: 0 },
    { type: 'affine', W: 'fc1.weight', b: 'fc1.bias', transpose: true },
    { type: 'affine', W: 'fc2.weight', b: 'fc2.bias', transpose: true },
  ]);
  t.deepEqual(build(bound, torch, { imageShape: [28, 28] }).outputSize, 10);
  const book: WeightArrays = new Map(['W1', 'W2', 'W3'].map((name) => [name, f32([1])]));
  t.is(bindPreset(SIMPLE_CONVNET, book, 'params.pkl', 'in-out'), SIMPLE_CONVNET, 'the book\'s names: the preset as it is');
  t.throws(() => bindPreset(SIMPLE_CONVNET, new Map([['fc.weight', f32([2, 2])]]), 'sd.pt', 'out-in'), {
    message: 'sd.pt: model simple-convnet has 3 layers with weights, the file 1 (fc)',
  });
  const swapped: WeightArrays = new Map([...torch].slice(2, 4).concat([...torch].slice(0, 2), [...torch].slice(4)));
  t.throws(() => bindPreset(SIMPLE_CONVNET, swapped, 'sd.pt', 'out-in'), {
    message: 'sd.pt: model simple-convnet, layer convolution W1 needs a 4-D array, the file\'s layer 1 has fc1.weight (100, 4320)',
  });
});
