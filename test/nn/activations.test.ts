import test from 'ava';
import { relu, sigmoid, softmax, step } from '../../src/nn/activations.js';

test('step is 1 for positive inputs, else 0', (t) => {
  t.deepEqual([...step(new Float64Array([-2, -0, 0, 1e-9, 3]))], [0, 0, 0, 1, 1]);
});

test('sigmoid matches 1 / (1 + e^-x)', (t) => {
  const x = new Float64Array([-3, -0.5, 0, 0.5, 3]);
  t.deepEqual([...sigmoid(x)], [...x].map((v) => 1 / (1 + Math.exp(-v))));
});

test('sigmoid saturates at ±1000 without NaN or Infinity', (t) => {
  t.deepEqual([...sigmoid(new Float32Array([-1000, 1000, -Number.MAX_VALUE, Number.MAX_VALUE]))], [0, 1, 0, 1]);
});

test('relu keeps positives and zeroes the rest', (t) => {
  t.deepEqual([...relu(new Float64Array([-1, 0, 2.5]))], [0, 0, 2.5]);
});

test('softmax works row by row on a batch', (t) => {
  const y = softmax(new Float64Array([1, 2, 3, 1, 1, 1]), 3);
  const e = [Math.exp(-2), Math.exp(-1), 1];
  const s = e[0] + e[1] + e[2];
  t.deepEqual([...y.subarray(0, 3)], e.map((v) => v / s));
  t.deepEqual([...y.subarray(3)], [1 / 3, 1 / 3, 1 / 3]);
});

test('softmax on large logits is finite and sums to 1 per row', (t) => {
  const y = softmax(new Float32Array([1010, 1000, 990, -1000, 5000, 0]), 3);
  t.true([...y].every(Number.isFinite));
  t.true(Math.abs(y[0] + y[1] + y[2] - 1) < 1e-6);
  t.deepEqual([...y.subarray(3)], [0, 1, 0]);
  t.true(y[0] > 0.99995);
});

test('softmax refuses a width that does not divide the data', (t) => {
  t.throws(() => softmax(new Float32Array(5), 3), { message: 'softmax: 5 values do not split into rows of 3' });
});
