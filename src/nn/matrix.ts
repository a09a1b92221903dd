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
