/** The blocked affine layer (4 rows × 4 columns at a time, zero steps skipped) against the obvious loop. */
import test from 'ava';
import { affineInto, createAffine } from '../../src/nn/affine.js';
import type { FloatArray, Matrix } from '../../src/nn/matrix.js';
import { randomValues } from '../helpers/slow-layers.js';

/** y[i][j] = (0 + x[i][0]·W[0][j] + x[i][1]·W[1][j] + …) + b[j], in float64, k in order: the sums the kernel must give exactly. */
function slowAffine(x: Matrix, W: Matrix, b: FloatArray): number[] {
  const y: number[] = [];
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < W.cols; j++) {
      let sum = 0;
      for (let k = 0; k < W.rows; k++) sum += x.data[i * W.rows + k] * W.data[k * W.cols + j];
      y.push(sum + b[j]);
    }
  }
  return y;
}

/** A rows × inner input with about `zeros` of it 0, an all-zero row, and an input column that is 0 in every row. */
function input(seed: number, rows: number, inner: number, zeros: number): number[] {
  const x = randomValues(seed, rows * inner, zeros);
  if (rows > 2) x.fill(0, inner, 2 * inner);
  for (let i = 0; i < rows; i++) x[i * inner + Math.floor(inner / 2)] = 0;
  return x;
}

// rows × inner → cols: one of each, rows and columns short of a block of 4 by 1, 2 or 3, exact
// blocks, and the ch. 7 network's second affine layer (100 → 10) on a batch of 7.
const shapes: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 1],
  [2, 3, 5],
  [3, 7, 2],
  [4, 8, 4],
  [5, 13, 6],
  [6, 4, 7],
  [7, 100, 10],
  [9, 31, 11],
  [13, 300, 17],
];

for (const [i, [rows, inner, cols]] of shapes.entries()) {
  const x = input(100 + i, rows, inner, 0.4);
  const W = randomValues(200 + i, inner * cols, 0.05);
  const b = randomValues(300 + i, cols, 0);

  test(`affine ${rows}×${inner} · ${inner}×${cols} (float64) gives the obvious sums exactly`, (t) => {
    const xm = { rows, cols: inner, data: Float64Array.from(x) };
    const Wm = { rows: inner, cols, data: Float64Array.from(W) };
    const y = new Float64Array(rows * cols + 3).fill(7);
    affineInto(xm, Wm, Float64Array.from(b), y);
    t.deepEqual([...y.subarray(0, rows * cols)], slowAffine(xm, Wm, Float64Array.from(b)));
    t.deepEqual([...y.subarray(rows * cols)], [7, 7, 7], 'nothing is written past rows × cols');
  });

  test(`affine ${rows}×${inner} · ${inner}×${cols} (float32) sums in float64 and rounds once`, (t) => {
    const xm = { rows, cols: inner, data: Float32Array.from(x) };
    const Wm = { rows: inner, cols, data: Float32Array.from(W) };
    const b32 = Float32Array.from(b);
    const y = new Float32Array(rows * cols);
    affineInto(xm, Wm, b32, y);
    t.deepEqual([...y], slowAffine(xm, Wm, b32).map(Math.fround));
  });

  test(`affine ${rows}×${inner} · ${inner}×${cols} with the ReLU as stored is relu of the obvious sums`, (t) => {
    const xm = { rows, cols: inner, data: Float64Array.from(x) };
    const Wm = { rows: inner, cols, data: Float64Array.from(W) };
    const y = new Float64Array(rows * cols);
    createAffine(Wm, Float64Array.from(b))(xm, y, true);
    t.deepEqual([...y], slowAffine(xm, Wm, Float64Array.from(b)).map((v) => (v > 0 ? v : 0)));
  });
}

test('an all-zero input gives the bias in every row', (t) => {
  const W = { rows: 6, cols: 5, data: Float64Array.from(randomValues(1, 30, 0)) };
  const b = Float64Array.from([0.5, -1, 2, 0, -0.25]);
  const y = new Float64Array(3 * 5);
  affineInto({ rows: 3, cols: 6, data: new Float64Array(18) }, W, b, y);
  t.deepEqual([...y], [...b, ...b, ...b]);
});

test('one createAffine serves batches of any size, fewer rows and then more', (t) => {
  const inner = 10;
  const cols = 6;
  const Wm = { rows: inner, cols, data: Float64Array.from(randomValues(7, inner * cols, 0)) };
  const b = Float64Array.from(randomValues(8, cols, 0));
  const affine = createAffine(Wm, b);
  for (const rows of [2, 9, 1, 5]) {
    const xm = { rows, cols: inner, data: Float64Array.from(input(rows, rows, inner, 0.5)) };
    const y = new Float64Array(rows * cols);
    affine(xm, y);
    t.deepEqual([...y], slowAffine(xm, Wm, b), `${rows} rows`);
  }
});
