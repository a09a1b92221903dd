import test from 'ava';
import { maxPoolInto, poolingOutputLength, type PoolingLayer } from '../../src/nn/pooling.js';
import { randomValues, slowMaxPool } from '../helpers/slow-layers.js';

function poolLayer(C: number, H: number, W: number, PH: number, PW: number, stride: number): PoolingLayer {
  return {
    kind: 'pooling', mode: 'max', size: [PH, PW], stride, inputShape: [C, H, W],
    outputShape: [C, poolingOutputLength(H, PH, stride), poolingOutputLength(W, PW, stride)],
  };
}

// N, C, H, W, PH, PW, stride: the book's 2×2/2, windows that overlap, leave cells out, or are not square.
const cases: Array<[number, number, number, number, number, number, number]> = [
  [2, 3, 4, 4, 2, 2, 2],
  [1, 2, 5, 5, 2, 2, 2],
  [1, 1, 5, 6, 3, 3, 1],
  [2, 2, 14, 14, 2, 3, 2],
  [1, 30, 24, 24, 2, 2, 2],
];

for (const [N, C, H, W, PH, PW, stride] of cases) {
  test(`max pooling ${N}×${C}×${H}×${W}, window ${PH}×${PW}, stride ${stride}`, (t) => {
    const x = Float64Array.from(randomValues(N * 1000 + H, N * C * H * W, 0.2));
    const layer = poolLayer(C, H, W, PH, PW, stride);
    const expected = slowMaxPool(x, [N, C, H, W], PH, PW, stride);
    const y = new Float64Array(expected.length);
    maxPoolInto(x, N, layer, y);
    t.deepEqual([...y], expected);
    t.is(expected.length, N * layer.outputShape[0] * layer.outputShape[1] * layer.outputShape[2]);
  });
}

test('max pooling keeps negative maxima (no zero padding) and lets NaN win, as np.max does', (t) => {
  const layer = poolLayer(1, 2, 4, 2, 2, 2);
  const y = new Float32Array(2);
  maxPoolInto(Float32Array.from([-3, -2, 1, NaN, -5, -4, 0, 2]), 1, layer, y);
  t.is(y[0], -2);
  t.true(Number.isNaN(y[1]));
});

test('poolingOutputLength follows the book: 1 + (H − PH) // stride', (t) => {
  t.is(poolingOutputLength(24, 2, 2), 12);
  t.is(poolingOutputLength(7, 2, 2), 3);
  t.is(poolingOutputLength(14, 3, 2), 6);
  t.true(poolingOutputLength(1, 2, 2) < 1);
});
