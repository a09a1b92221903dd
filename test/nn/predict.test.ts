import test from 'ava';
import { affineInto } from '../../src/nn/affine.js';
import { argmaxRows } from '../../src/nn/matrix.js';
import { createPredict, predict } from '../../src/nn/predict.js';
import { inferMlp } from '../../src/model/infer-mlp.js';
import type { NdArray, WeightArrays } from '../../src/weights/nd-array.js';

const f32 = (shape: number[], values: number[]): NdArray => ({ shape, dtype: 'float32', data: Float32Array.from(values) });

test('affine computes x·W + b the slow, obvious way', (t) => {
  const x = { rows: 2, cols: 3, data: Float64Array.from([1, 0, 2, -1, 3, 0.5]) };
  const W = { rows: 3, cols: 2, data: Float64Array.from([1, 2, 3, 4, 5, 6]) };
  const b = Float64Array.from([0.5, -0.5]);
  const y = new Float64Array(4);
  affineInto(x, W, b, y);
  const expected = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
    let sum = b[j];
    for (let k = 0; k < 3; k++) sum += x.data[i * 3 + k] * W.data[k * 2 + j];
    expected.push(sum);
  }
  t.deepEqual([...y], expected);
});

test('argmaxRows takes the first maximum, as numpy does', (t) => {
  t.deepEqual([...argmaxRows({ rows: 2, cols: 3, data: Float32Array.from([1, 3, 3, 0, 0, -1]) })], [1, 0]);
});

const tiny: WeightArrays = new Map([
  ['W1', f32([2, 3], [1, -1, 0, 0, 1, -1])],
  ['b1', f32([3], [0, 0, 0.5])],
  ['W2', f32([3, 2], [1, 0, 0, 1, 1, 1])],
  ['b2', f32([2], [0, 0])],
]);

test('inferMlp builds affine → sigmoid → affine → softmax', (t) => {
  const network = inferMlp(tiny, 'tiny.pkl', { inputSize: 2 });
  t.deepEqual(network.layers.map((l) => l.kind), ['affine', 'sigmoid', 'affine', 'softmax']);
  t.is(network.outputSize, 2);
  t.is(network.precision, 'float32');
});

test('predict gives softmax rows that sum to 1, and reuses its buffers', (t) => {
  const network = inferMlp(tiny, 'tiny.pkl', { inputSize: 2, activation: 'relu' });
  const run = createPredict(network, 4);
  const x = { rows: 2, cols: 2, data: Float32Array.from([1, 2, 3, -4]) };
  const y = run(x);
  const again = predict(network, x);
  t.deepEqual([...y.data], [...again.data]);
  // relu hidden: row 0 → a1 = [1, 1, -2.5+...]: check by hand
  const h = [Math.max(0, 1), Math.max(0, -1 + 2), Math.max(0, -2 + 0.5)];
  const logits = [h[0] + h[2], h[1] + h[2]];
  const m = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - m));
  t.is(y.data[0], Math.fround(e[0] / (e[0] + e[1])));
  t.is(run(x).data.buffer, y.data.buffer);
});

const throwsInput = (t: import('ava').ExecutionContext, arrays: WeightArrays, inputSize: number, message: string) =>
  t.throws(() => inferMlp(arrays, 'net.pkl', { inputSize }), { message });

test('inferMlp names the file and both shapes when layers do not chain', (t) => {
  const bad = new Map(tiny);
  bad.set('W2', f32([4, 2], new Array(8).fill(0)));
  throwsInput(t, bad, 2, 'net.pkl: model mlp (inferred, sigmoid), layer 3 (affine W2, b2): W2 (4, 2) takes 4 inputs, but layer 2 (sigmoid) gives (3,)');
  throwsInput(t, tiny, 784, 'net.pkl: model mlp (inferred, sigmoid), layer 1 (affine W1, b1): W1 (2, 3) takes 2 inputs, but the 1×784 images give (784,)');
  const badBias = new Map(tiny);
  badBias.set('b1', f32([2], [0, 0]));
  throwsInput(t, badBias, 2, 'net.pkl: model mlp (inferred, sigmoid), layer 1 (affine W1, b1): b1 (2,) does not match W1 (2, 3): expected (3,)');
});

test('inferMlp refuses a missing bias, a gap in the numbering, and no layers', (t) => {
  const noB2 = new Map(tiny);
  noB2.delete('b2');
  throwsInput(t, noB2, 2, 'net.pkl: W2 has no matching b2');
  const gap = new Map(tiny);
  gap.set('W4', f32([1, 1], [0]));
  throwsInput(t, gap, 2, 'net.pkl: layer numbering has a gap: W4 found but W3 and b3 are missing');
  throwsInput(t, new Map([['x', f32([1], [0])]]), 2, 'net.pkl: cannot tell the layers apart: x holds x (1,), expected one weight array and at most one bias; describe the model with --model');
});
