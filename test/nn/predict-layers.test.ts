/** createPredict over convolution, pooling, flatten and dropout layers, against the slow layers. */
import test from 'ava';
import { buildNetwork } from '../../src/model/build-network.js';
import type { ModelSpec } from '../../src/model/model-spec.js';
import { createPredict, predict } from '../../src/nn/predict.js';
import type { WeightArrays } from '../../src/weights/nd-array.js';
import { f64 } from '../helpers/model-fixtures.js';
import { randomValues, slowConvolution, slowMaxPool } from '../helpers/slow-layers.js';

// 1×6×6 image → conv 3×1×3×3 pad 1 → relu → pool 2×2 → (3, 3, 3) → dropout 0.4 → affine 27→4 → softmax
const spec: ModelSpec = {
  name: 'tiny-convnet',
  layers: [
    { type: 'convolution', W: 'K', b: 'k', stride: 1, pad: 1 },
    { type: 'relu' },
    { type: 'pooling', size: 2, stride: 2 },
    { type: 'flatten' },
    { type: 'dropout', ratio: 0.4 },
    { type: 'affine', W: 'W', b: 'b' },
    { type: 'softmax' },
  ],
};
const K = randomValues(1, 27, 0);
const k = randomValues(2, 3, 0);
const W = randomValues(3, 27 * 4, 0);
const b = randomValues(4, 4, 0);
const arrays: WeightArrays = new Map([
  ['K', f64([3, 1, 3, 3], (i) => K[i])], ['k', f64([3], (i) => k[i])],
  ['W', f64([27, 4], (i) => W[i])], ['b', f64([4], (i) => b[i])],
]);
const network = buildNetwork(spec, arrays, { file: 'tiny.pkl', imageShape: [6, 6] });

/** The forward pass of one batch written out step by step. */
function slowForward(x: number[], N: number): number[] {
  const conv = slowConvolution(x, K, k, { N, C: 1, H: 6, W: 6, FN: 3, FH: 3, FW: 3, stride: 1, pad: 1 }).data.map((v) => Math.max(0, v));
  const pooled = slowMaxPool(conv, [N, 3, 6, 6], 2, 2, 2).map((v) => v * (1 - 0.4));
  const y: number[] = [];
  for (let n = 0; n < N; n++) {
    const a = [0, 1, 2, 3].map((j) => {
      let sum = 0;
      for (let i = 0; i < 27; i++) sum += pooled[n * 27 + i] * W[i * 4 + j];
      return sum + b[j];
    });
    const max = Math.max(...a);
    const e = a.map((v) => Math.exp(v - max));
    const total = e.reduce((s, v) => s + v, 0);
    y.push(...e.map((v) => v / total));
  }
  return y;
}

test('a small convnet gives the slow forward pass, batch after batch, in reused buffers', (t) => {
  const run = createPredict(network, 3);
  const first = randomValues(5, 3 * 36, 0.5);
  const y1 = run({ rows: 3, cols: 36, data: Float64Array.from(first) });
  t.is(y1.rows, 3);
  t.is(y1.cols, 4);
  const expected = slowForward(first, 3);
  y1.data.forEach((v, i) => t.true(Math.abs(v - expected[i]) < 1e-15, `output ${i}: ${v} vs ${expected[i]}`));
  const second = randomValues(6, 2 * 36, 0.5);
  const y2 = run({ rows: 2, cols: 36, data: Float64Array.from(second) });
  t.is(y2.data.buffer, y1.data.buffer);
  t.deepEqual([...y2.data], [...predict(network, { rows: 2, cols: 36, data: Float64Array.from(second) }).data]);
  slowForward(second, 2).forEach((v, i) => t.true(Math.abs(y2.data[i] - v) < 1e-15));
});

test('a batch larger than the buffers is refused', (t) => {
  t.throws(() => createPredict(network, 1)({ rows: 2, cols: 36, data: new Float64Array(72) }), { instanceOf: RangeError });
});
