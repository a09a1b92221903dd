import test from 'ava';
import { convolutionInto, convolutionOutputLength, createConvolution, filtersToColumns, poolsAsStored, type ConvolutionLayer } from '../../src/nn/convolution.js';
import { poolingOutputLength, type PoolingLayer } from '../../src/nn/pooling.js';
import { randomValues, slowConvolution, slowMaxPool, type ConvCase } from '../helpers/slow-layers.js';

function layerOf<A extends Float32Array | Float64Array>(k: ConvCase, W: A, b: A, OH: number, OW: number): ConvolutionLayer {
  const filterShape = [k.FN, k.C, k.FH, k.FW] as const;
  return {
    kind: 'convolution', W: filtersToColumns(W, filterShape), b, filterShape, stride: k.stride, pad: k.pad,
    inputShape: [k.C, k.H, k.W], outputShape: [k.FN, OH, OW], names: { W: 'W', b: 'b' },
  };
}

// N, C, H, W, FN, FH, FW, stride, pad: square and not, strides 1-3, pads 0-2, FN with and without a
// remainder after groups of four, 1×1 filters, a filter as large as the padded input.
const cases: ConvCase[] = [
  { N: 2, C: 1, H: 5, W: 5, FN: 2, FH: 3, FW: 3, stride: 1, pad: 0 },
  { N: 1, C: 2, H: 6, W: 5, FN: 3, FH: 3, FW: 2, stride: 2, pad: 1 },
  { N: 3, C: 3, H: 4, W: 4, FN: 5, FH: 1, FW: 1, stride: 1, pad: 0 },
  { N: 1, C: 1, H: 7, W: 7, FN: 4, FH: 5, FW: 5, stride: 1, pad: 2 },
  { N: 2, C: 2, H: 5, W: 6, FN: 8, FH: 3, FW: 3, stride: 3, pad: 2 },
  { N: 1, C: 4, H: 3, W: 3, FN: 6, FH: 5, FW: 5, stride: 1, pad: 1 },
  { N: 2, C: 1, H: 28, W: 28, FN: 30, FH: 5, FW: 5, stride: 1, pad: 0 },
];

for (const [i, k] of cases.entries()) {
  const label = `${k.N}×${k.C}×${k.H}×${k.W} * ${k.FN}×${k.C}×${k.FH}×${k.FW}, stride ${k.stride}, pad ${k.pad}`;
  const x = randomValues(10 + i, k.N * k.C * k.H * k.W, 0.4);
  const W = randomValues(20 + i, k.FN * k.C * k.FH * k.FW, 0.1);
  const b = randomValues(30 + i, k.FN, 0);

  test(`convolution ${label} (float64) gives the obvious sums exactly`, (t) => {
    const expected = slowConvolution(x, W, b, k);
    const layer = layerOf(k, Float64Array.from(W), Float64Array.from(b), expected.OH, expected.OW);
    const y = new Float64Array(expected.data.length);
    convolutionInto(Float64Array.from(x), k.N, layer, y);
    t.deepEqual([...y], expected.data);
  });

  test(`convolution ${label} (float32) sums in float64 and rounds once`, (t) => {
    const x32 = Float32Array.from(x);
    const W32 = Float32Array.from(W);
    const b32 = Float32Array.from(b);
    const expected = slowConvolution(x32, W32, b32, k);
    const layer = layerOf(k, W32, b32, expected.OH, expected.OW);
    const y = new Float32Array(expected.data.length);
    convolutionInto(x32, k.N, layer, y);
    t.deepEqual([...y], expected.data.map(Math.fround));
  });
}

test('filtersToColumns lays W (FN × C × FH × FW) out as the book\'s col_W = W.reshape(FN, -1).T', (t) => {
  const W = Float64Array.from({ length: 2 * 2 * 1 * 3 }, (_, i) => i);
  const col = filtersToColumns(W, [2, 2, 1, 3]);
  t.is(col.rows, 6);
  t.is(col.cols, 2);
  // Row k of col_W holds element k of each filter: filter 0 is 0..5, filter 1 is 6..11.
  t.deepEqual([...col.data], [0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
});

test('convolutionOutputLength follows the book: 1 + (H + 2·pad − FH) // stride', (t) => {
  t.is(convolutionOutputLength(28, 5, 1, 0), 24);
  t.is(convolutionOutputLength(14, 3, 1, 2), 16);
  t.is(convolutionOutputLength(28, 3, 2, 1), 14);
  t.is(convolutionOutputLength(5, 3, 3, 2), 3);
  t.true(convolutionOutputLength(2, 5, 1, 0) < 1);
});

test('an all-zero image gives the bias everywhere, and only the rows it is asked for are written', (t) => {
  const k: ConvCase = { N: 1, C: 1, H: 4, W: 4, FN: 3, FH: 3, FW: 3, stride: 1, pad: 1 };
  const layer = layerOf(k, Float64Array.from(randomValues(1, 27, 0)), Float64Array.from([0.5, -1, 2]), 4, 4);
  const y = new Float64Array(2 * 3 * 16).fill(7);
  convolutionInto(new Float64Array(2 * 16), 1, layer, y);
  t.deepEqual([...y.subarray(0, 48)], [...new Array(16).fill(0.5), ...new Array(16).fill(-1), ...new Array(16).fill(2)]);
  t.true(y.subarray(48).every((v) => v === 7));
});

function poolAfter(layer: ConvolutionLayer, size: number, stride: number): PoolingLayer {
  const [C, H, W] = layer.outputShape;
  return {
    kind: 'pooling', mode: 'max', size: [size, size], stride, inputShape: [C, H, W],
    outputShape: [C, poolingOutputLength(H, size, stride), poolingOutputLength(W, size, stride)],
  };
}

// Convolution → (ReLU) → 2×2 max pooling every 2 as one step: the ch. 7 layer, padding, a stride,
// FN short of a block of 4, and an odd output (5×5) whose last row and column no window covers.
const pooled: ConvCase[] = [
  { N: 2, C: 1, H: 28, W: 28, FN: 30, FH: 5, FW: 5, stride: 1, pad: 0 },
  { N: 3, C: 3, H: 6, W: 6, FN: 5, FH: 3, FW: 3, stride: 1, pad: 1 },
  { N: 1, C: 2, H: 7, W: 7, FN: 6, FH: 3, FW: 3, stride: 1, pad: 0 },
  { N: 2, C: 2, H: 9, W: 8, FN: 4, FH: 3, FW: 2, stride: 2, pad: 1 },
];

for (const [i, k] of pooled.entries()) {
  const label = `${k.N}×${k.C}×${k.H}×${k.W} * ${k.FN}×${k.C}×${k.FH}×${k.FW}, stride ${k.stride}, pad ${k.pad}`;
  const x = randomValues(40 + i, k.N * k.C * k.H * k.W, 0.5);
  const W = randomValues(50 + i, k.FN * k.C * k.FH * k.FW, 0.1);
  const b = randomValues(60 + i, k.FN, 0);
  for (const relu of [true, false]) {
    test(`convolution ${label}${relu ? ', ReLU' : ''} and 2×2 max pooling as stored give the layers one after the other exactly`, (t) => {
      const conv = slowConvolution(x, W, b, k);
      const layer = layerOf(k, Float64Array.from(W), Float64Array.from(b), conv.OH, conv.OW);
      const pool = poolAfter(layer, 2, 2);
      t.true(poolsAsStored(layer, pool));
      const expected = slowMaxPool(relu ? conv.data.map((v) => (v > 0 ? v : 0)) : conv.data, [k.N, k.FN, conv.OH, conv.OW], 2, 2, 2);
      const y = new Float64Array(expected.length);
      createConvolution(layer, pool)(Float64Array.from(x), k.N, y, relu);
      t.deepEqual([...y], expected);
    });
  }
}

test('only 2×2 windows every 2 cells over the whole output are pooled as the sums are stored', (t) => {
  const k: ConvCase = { N: 1, C: 1, H: 8, W: 8, FN: 2, FH: 3, FW: 3, stride: 1, pad: 1 };
  const layer = layerOf(k, new Float64Array(18), new Float64Array(2), 8, 8);
  t.true(poolsAsStored(layer, poolAfter(layer, 2, 2)));
  t.false(poolsAsStored(layer, poolAfter(layer, 3, 3)));
  t.false(poolsAsStored(layer, poolAfter(layer, 2, 1)));
  t.false(poolsAsStored(layer, { ...poolAfter(layer, 2, 2), inputShape: [2, 6, 6], outputShape: [2, 3, 3] }));
  t.throws(() => createConvolution(layer, poolAfter(layer, 3, 3)), { instanceOf: RangeError });
});
