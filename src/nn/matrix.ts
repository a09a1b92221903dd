import { createProduct } from './gemm.js';

/** A flat typed array of floats, in float32 or float64. */
export type FloatArray = Float32Array | Float64Array;

/** A row-major `rows × cols` matrix over a flat typed array. */
export interface Matrix<A extends FloatArray = FloatArray> {
  readonly rows: number;
  readonly cols: number;
  readonly data: A;
}

export function matrix<A extends FloatArray>(rows: number, cols: number, data: A): Matrix<A> {
  if (data.length < rows * cols) {
    throw new RangeError(`matrix ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
  }
  return { rows, cols, data };
}

/** y = x·W + b for batches of x, then a ReLU if asked: W is packed once, for every batch. */
export type Affine = (x: Matrix, y: FloatArray, relu?: boolean) => void;

/**
 * The affine layer with W packed once (`createProduct`): 4 rows by 4 columns at a time, skipping
 * the steps where the 4 rows are all zero. Sums in float64 (JS numbers) over k in order, the bias
 * added last, one rounding on storing into `y`: the sums of the obvious loop, exactly.
 */
export function createAffine(W: Matrix, b: FloatArray): Affine {
  const product = createProduct(W, b);
  const offsets = Int32Array.from({ length: W.rows }, (_, k) => k);
  let rowStarts = new Int32Array(0);
  return (x, y, relu = false) => {
    if (rowStarts.length < x.rows) rowStarts = Int32Array.from({ length: x.rows }, (_, i) => i * W.rows);
    product(x.data, { start: 0, rowStarts, offsets }, x.rows, y, { start: 0, rowStride: W.cols, colStride: 1 }, relu);
  };
}

/** y = x·W + b, written into `y` (rows × W.cols); `createAffine` packs W once for many batches. */
export function affineInto(x: Matrix, W: Matrix, b: FloatArray, y: FloatArray): void {
  createAffine(W, b)(x, y);
}

/** The index of the largest value of each row (the first one on ties, as numpy's argmax). */
export function argmaxRows(y: Matrix): Int32Array {
  const out = new Int32Array(y.rows);
  for (let i = 0; i < y.rows; i++) {
    const row = i * y.cols;
    let best = 0;
    let max = y.data[row];
    for (let j = 1; j < y.cols; j++) {
      const v = y.data[row + j];
      if (v > max) {
        max = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}
