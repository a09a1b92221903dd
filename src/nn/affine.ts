import { createProduct } from './gemm.js';
import type { FloatArray, Matrix } from './matrix.js';

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
