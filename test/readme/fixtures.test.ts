/** The harness's small-data helpers: the large-data guard, the rewrite table, the shapes a model description implies. */
import test from 'ava';
import { arrayShapes, largeDataIn, rewrite } from './fixtures.js';

test('largeDataIn: a --count or --limit of 20,000 or more, or the whole training set', (t) => {
  t.is(largeDataIn(['mnist-eval', 'generate', '--count', '1_000_000']), '--count 1_000_000');
  t.is(largeDataIn(['mnist-eval', '--limit=20000']), '--limit 20000');
  t.is(largeDataIn(['mnist-eval', '--dataset', 'mnist-train']), 'the whole training set (60,000 images)');
  t.is(largeDataIn(['mnist-eval', '--dataset', 'mnist-train', '--offset', '50000', '--limit', '1000']), undefined);
  t.is(largeDataIn(['mnist-eval', 'generate', '--count', '300', '--seed', '123456']), undefined);
});

test('rewrite: every matching row in order, and which rows applied', (t) => {
  const a = { from: /--count 1000000\b/g, to: '--count 300', why: 'small' };
  const b = { from: /\/tmp\//g, to: 'tmp/', why: 'here' };
  const unused = { from: /nothing/g, to: '', why: '' };
  const { text, used, applied } = rewrite('gen --count 1000000 --out-dir /tmp/x', [a, unused, b]);
  t.is(text, 'gen --count 300 --out-dir tmp/x');
  t.deepEqual(used, [a, b]);
  t.deepEqual(applied, ['--count 1000000\\b → --count 300: small', '\\/tmp\\/ → tmp/: here']);
});

test('arrayShapes: the README model worked out layer by layer for 28×28 images and 10 classes', (t) => {
  t.deepEqual(arrayShapes([
    { type: 'convolution', W: 'W1', b: 'b1', stride: 1, pad: 0 }, { type: 'relu' }, { type: 'pooling', size: 2, stride: 2 },
    { type: 'affine', W: 'W2', b: 'b2' }, { type: 'dropout' }, { type: 'softmax' },
  ]), { W1: [4, 1, 5, 5], b1: [4], W2: [4 * 12 * 12, 10], b2: [10] });
  t.deepEqual(arrayShapes([{ type: 'affine', W: 'W1', b: 'b1' }, { type: 'sigmoid' }, { type: 'affine', W: 'W2', b: 'b2' }]),
    { W1: [784, 16], b1: [16], W2: [16, 10], b2: [10] });
  t.deepEqual(arrayShapes([{ type: 'convolution', W: 'W1', b: 'b1', stride: 2, pad: 2 }, { type: 'flatten' }, { type: 'affine', W: 'W2', b: 'b2' }]),
    { W1: [4, 1, 5, 5], b1: [4], W2: [4 * 14 * 14, 10], b2: [10] });
});
