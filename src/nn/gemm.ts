import type { FloatArray, Matrix } from './matrix.js';

/**
 * The matrix product behind the affine and convolution layers: y = A·W + b, and then a ReLU if
 * asked. Blocked for registers: 4 rows of A times 4 columns of W make 16 sums held in local
 * variables, so each value loaded from A or W is used four times.
 *
 * Rows of A are read through a table of offsets, so that a convolution reads its patches straight
 * out of the image, in the order the book's im2col lays them out, without copying them; an affine
 * layer's table is 0, 1, 2, … Outputs are written with a row and a column stride, which is all
 * that tells the affine layer's rows × cols from the convolution's FN × OH × OW.
 *
 * The sums are float64 (JS numbers) and run over k in increasing order, starting from 0, with the
 * bias added last and one rounding on storing: the sums of the obvious loop, exactly. Steps of k
 * where the four rows are all 0 are skipped (an MNIST image is 80% zeros, and so is much of what a
 * ReLU gives); the zero products that remain change no sum (sums start at +0, and s + ±0 is s).
 */
export type Product = (
  a: FloatArray,
  gather: Gather,
  rows: number,
  y: FloatArray,
  scatter: Scatter,
  relu: boolean,
) => void;

/** Where A is in `a`: element k of row i is `a[start + rowStarts[i] + offsets[k]]`. */
export interface Gather {
  readonly start: number;
  readonly rowStarts: Int32Array;
  /** One per element of a row: `W.rows` of them. */
  readonly offsets: Int32Array;
}

/**
 * Where y goes: y[i][j] is `y[start + i·rowStride + j·colStride]`. With `pool`, each 4 rows
 * (a tile) give one row of y, their largest value (after the ReLU, if asked): a 2 × 2 max pooling,
 * when A's rows are listed window by window.
 */
export interface Scatter {
  readonly start: number;
  readonly rowStride: number;
  readonly colStride: number;
  readonly pool?: boolean;
}

/** Columns of W per panel, and rows of A per tile. */
const BLOCK = 4;

/**
 * W (inner × cols, row-major) in panels of 4 columns, in float64: panel p is columns 4p … 4p+3
 * as an inner × 4 row-major block, so that the inner loop reads W in order. The last panel is
 * padded with zero columns, whose sums are never stored.
 */
export function packPanels(W: Matrix): Float64Array {
  const { rows: inner, cols } = W;
  const panels = new Float64Array(Math.ceil(cols / BLOCK) * inner * BLOCK);
  for (let j = 0; j < cols; j++) {
    const panel = Math.floor(j / BLOCK) * inner * BLOCK + (j % BLOCK);
    for (let k = 0; k < inner; k++) panels[panel + k * BLOCK] = W.data[k * cols + j];
  }
  return panels;
}

/**
 * The product with W and b, packed once. Its scratch buffers are its own: one product serves one
 * thread, one call at a time.
 */
export function createProduct(W: Matrix, b: FloatArray): Product {
  const inner = W.rows;
  const cols = W.cols;
  const panelCount = Math.ceil(cols / BLOCK);
  const panels = packPanels(W);
  const bias = new Float64Array(panelCount * BLOCK);
  bias.set(b.subarray(0, cols));
  // The nonzero steps of one tile: four values each (one per row), and where their row of the panel is.
  const values = new Float64Array(inner * BLOCK);
  const steps = new Int32Array(inner);
  const tile = new Float64Array(BLOCK * BLOCK);

  return (a, gather, rows, y, scatter, relu) => {
    const Wp = panels;
    const bp = bias;
    const { rowStarts, offsets } = gather;
    const { rowStride, colStride } = scatter;
    const pool = scatter.pool === true;
    const c1 = colStride;
    const c2 = 2 * colStride;
    const c3 = 3 * colStride;
    for (let i = 0; i < rows; i += BLOCK) {
      const n = Math.min(BLOCK, rows - i);
      // A tile of fewer than 4 rows repeats its first row, and does not store the repeats.
      const r0 = gather.start + rowStarts[i];
      const r1 = n > 1 ? gather.start + rowStarts[i + 1] : r0;
      const r2 = n > 2 ? gather.start + rowStarts[i + 2] : r0;
      const r3 = n > 3 ? gather.start + rowStarts[i + 3] : r0;
      let m = 0;
      for (let k = 0; k < inner; k++) {
        const o = offsets[k];
        const a0 = a[r0 + o];
        const a1 = a[r1 + o];
        const a2 = a[r2 + o];
        const a3 = a[r3 + o];
        if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
        const v = m * BLOCK;
        values[v] = a0;
        values[v + 1] = a1;
        values[v + 2] = a2;
        values[v + 3] = a3;
        steps[m++] = k * BLOCK;
      }
      const y0 = scatter.start + (pool ? i / BLOCK : i) * rowStride;
      for (let p = 0; p < panelCount; p++) {
        const panel = p * inner * BLOCK;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
        let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
        let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        for (let t = 0, v = 0; t < m; t++, v += BLOCK) {
          const w = panel + steps[t];
          const w0 = Wp[w];
          const w1 = Wp[w + 1];
          const w2 = Wp[w + 2];
          const w3 = Wp[w + 3];
          const a0 = values[v];
          const a1 = values[v + 1];
          const a2 = values[v + 2];
          const a3 = values[v + 3];
          s00 += a0 * w0; s01 += a0 * w1; s02 += a0 * w2; s03 += a0 * w3;
          s10 += a1 * w0; s11 += a1 * w1; s12 += a1 * w2; s13 += a1 * w3;
          s20 += a2 * w0; s21 += a2 * w1; s22 += a2 * w2; s23 += a2 * w3;
          s30 += a3 * w0; s31 += a3 * w1; s32 += a3 * w2; s33 += a3 * w3;
        }
        const j = p * BLOCK;
        const b0 = bp[j];
        const b1 = bp[j + 1];
        const b2 = bp[j + 2];
        const b3 = bp[j + 3];
        if (pool) {
          const width = Math.min(BLOCK, cols - j);
          const o = y0 + j * colStride;
          y[o] = largest(s00 + b0, s10 + b0, s20 + b0, s30 + b0, relu);
          if (width > 1) y[o + c1] = largest(s01 + b1, s11 + b1, s21 + b1, s31 + b1, relu);
          if (width > 2) y[o + c2] = largest(s02 + b2, s12 + b2, s22 + b2, s32 + b2, relu);
          if (width > 3) y[o + c3] = largest(s03 + b3, s13 + b3, s23 + b3, s33 + b3, relu);
        } else if (n === BLOCK && j + BLOCK <= cols) {
          let o = y0 + j * colStride;
          y[o] = s00 + b0; y[o + c1] = s01 + b1; y[o + c2] = s02 + b2; y[o + c3] = s03 + b3;
          o += rowStride;
          y[o] = s10 + b0; y[o + c1] = s11 + b1; y[o + c2] = s12 + b2; y[o + c3] = s13 + b3;
          o += rowStride;
          y[o] = s20 + b0; y[o + c1] = s21 + b1; y[o + c2] = s22 + b2; y[o + c3] = s23 + b3;
          o += rowStride;
          y[o] = s30 + b0; y[o + c1] = s31 + b1; y[o + c2] = s32 + b2; y[o + c3] = s33 + b3;
        } else {
          // The last rows or columns: only those that exist.
          tile[0] = s00 + b0; tile[1] = s01 + b1; tile[2] = s02 + b2; tile[3] = s03 + b3;
          tile[4] = s10 + b0; tile[5] = s11 + b1; tile[6] = s12 + b2; tile[7] = s13 + b3;
          tile[8] = s20 + b0; tile[9] = s21 + b1; tile[10] = s22 + b2; tile[11] = s23 + b3;
          tile[12] = s30 + b0; tile[13] = s31 + b1; tile[14] = s32 + b2; tile[15] = s33 + b3;
          const width = Math.min(BLOCK, cols - j);
          for (let r = 0; r < n; r++) {
            for (let q = 0; q < width; q++) y[y0 + r * rowStride + (j + q) * colStride] = tile[r * BLOCK + q];
          }
        }
      }
      if (relu && !pool) {
        // The ReLU over the tile's rows once stored: a test in each store above slows the whole loop down.
        for (let r = 0; r < n; r++) {
          for (let j = 0, o = y0 + r * rowStride; j < cols; j++, o += colStride) {
            const v = y[o];
            if (!(v > 0)) y[o] = 0;
          }
        }
      }
    }
  };
}

/**
 * The largest of a pooling window's 4 values, after the ReLU if asked: Math.max (NaN wins, as in
 * np.max); with the ReLU, the largest value above 0, or 0, which is max(relu(v0), …, relu(v3))
 * exactly (relu(x) = x > 0 ? x : 0 is never NaN or -0, so plain comparisons order its values).
 */
function largest(v0: number, v1: number, v2: number, v3: number, relu: boolean): number {
  if (!relu) return Math.max(Math.max(v0, v1), Math.max(v2, v3));
  let max = 0;
  if (v0 > max) max = v0;
  if (v1 > max) max = v1;
  if (v2 > max) max = v2;
  if (v3 > max) max = v3;
  return max;
}
