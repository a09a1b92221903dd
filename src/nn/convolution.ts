import { createProduct, type Gather } from './gemm.js';
import type { FloatArray, Matrix } from './matrix.js';
import type { PoolingLayer } from './pooling.js';

/**
 * The book's `Convolution` layer at inference: FN filters of C × FH × FW slide over a C × H × W
 * input with `stride`, over `pad` rows and columns of zeros, giving FN × OH × OW. Shapes are
 * worked out and checked once, when the model is built; the kernel trusts them.
 */
export interface ConvolutionLayer {
  readonly kind: 'convolution';
  /**
   * The filters as the book's `col_W = W.reshape(FN, -1).T`: (C·FH·FW) × FN, row-major, so that
   * the FN outputs of one position are a row of (input patch)·col_W.
   */
  readonly W: Matrix;
  readonly b: FloatArray;
  /** FN, C, FH, FW: the shape of W in the weight file. */
  readonly filterShape: readonly [number, number, number, number];
  readonly stride: number;
  readonly pad: number;
  /** C, H, W of one input image. */
  readonly inputShape: readonly [number, number, number];
  /** FN, OH, OW of one output. */
  readonly outputShape: readonly [number, number, number];
  readonly names: { readonly W: string; readonly b?: string };
}

/** Output length along one axis, as the book's `1 + (H + 2*pad - FH) // stride`; 0 or less if none fit. */
export function convolutionOutputLength(inputLength: number, filterLength: number, stride: number, pad: number): number {
  return Math.floor((inputLength + 2 * pad - filterLength) / stride) + 1;
}

/**
 * The book's `col_W`: filters W (FN × C × FH × FW, C order) as a (C·FH·FW) × FN matrix.
 * Copied once, when the model is built.
 */
export function filtersToColumns<A extends FloatArray>(W: A, filterShape: readonly [number, number, number, number]): Matrix<A> {
  const [FN, C, FH, FW] = filterShape;
  const inner = C * FH * FW;
  const cols = (W instanceof Float64Array ? new Float64Array(W.length) : new Float32Array(W.length)) as A;
  for (let f = 0; f < FN; f++) {
    for (let k = 0; k < inner; k++) cols[k * FN + f] = W[f * inner + k];
  }
  return { rows: inner, cols: FN, data: cols };
}

/** y = conv(x, W) + b for `count` images, then a ReLU if asked (and the pooling it was made with, if any). */
export type Convolution = (x: FloatArray, count: number, y: FloatArray, relu?: boolean) => void;

/**
 * Whether `pool` can be computed as the sums of `layer` are stored (`createConvolution`): 2 × 2
 * windows every 2 cells, the book's pooling, which then reads nothing twice and leaves nothing out
 * but a last odd row or column.
 */
export function poolsAsStored(layer: ConvolutionLayer, pool: PoolingLayer): boolean {
  const [FN, OH, OW] = layer.outputShape;
  const [C, H, W] = pool.inputShape;
  return pool.mode === 'max' && pool.size[0] === 2 && pool.size[1] === 2 && pool.stride === 2 && C === FN && H === OH && W === OW;
}

/**
 * The convolution as the book computes it, `np.dot(im2col(x), col_W) + b`, without building the
 * columns: each output position is a row of A = im2col(x), read in place by `createProduct`
 * through offsets (the patch of (oy, ox) starts at cell (oy·stride, ox·stride), and its element
 * (c, fy, fx) is c·H·W + fy·W + fx further on). With padding, each image is first copied into the
 * middle of a zeroed (H + 2·pad) × (W + 2·pad) buffer, so that patches never leave it, and H and
 * W are those of the buffer. The product writes position-major rows into FN × OH × OW: row stride
 * 1, column stride OH·OW. Sums are float64, in (c, fy, fx) order, bias last, rounded once on
 * storing: the obvious sums, exactly (padding and zero inputs add nothing).
 *
 * Given a 2 × 2 max pooling that `poolsAsStored`, the positions are listed window by window, and
 * each window's 4 sums give the largest (after the ReLU, if asked) straight into FN × OH/2 × OW/2:
 * the convolution's own output is never stored.
 */
export function createConvolution(layer: ConvolutionLayer, pool?: PoolingLayer): Convolution {
  const [C, H, W] = layer.inputShape;
  const [, , FH, FW] = layer.filterShape;
  const { stride, pad } = layer;
  if (pool !== undefined && !poolsAsStored(layer, pool)) {
    throw new RangeError(`a ${pool.size.join('×')} pooling every ${pool.stride} cannot be computed as the convolution stores its sums`);
  }
  const PH = H + 2 * pad;
  const PW = W + 2 * pad;
  const padded = pad > 0 ? new Float64Array(C * PH * PW) : undefined;
  const start = (oy: number, ox: number): number => oy * stride * PW + ox * stride;
  const [outC, outH, outW] = pool?.outputShape ?? layer.outputShape;
  const outPlane = outH * outW;
  const rowStarts = new Int32Array(pool === undefined ? outPlane : 4 * outPlane);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const row = oy * outW + ox;
      if (pool === undefined) {
        rowStarts[row] = start(oy, ox);
      } else {
        rowStarts.set([start(2 * oy, 2 * ox), start(2 * oy, 2 * ox + 1), start(2 * oy + 1, 2 * ox), start(2 * oy + 1, 2 * ox + 1)], 4 * row);
      }
    }
  }
  const offsets = new Int32Array(C * FH * FW);
  for (let c = 0; c < C; c++) {
    for (let fy = 0; fy < FH; fy++) {
      for (let fx = 0; fx < FW; fx++) offsets[(c * FH + fy) * FW + fx] = c * PH * PW + fy * PW + fx;
    }
  }
  const product = createProduct(layer.W, layer.b);
  const fromPadded: Gather = { start: 0, rowStarts, offsets };
  return (x, count, y, relu = false) => {
    for (let n = 0; n < count; n++) {
      const image = n * C * H * W;
      const scatter = { start: n * outC * outPlane, rowStride: 1, colStride: outPlane, pool: pool !== undefined };
      if (padded === undefined) {
        product(x, { start: image, rowStarts, offsets }, rowStarts.length, y, scatter, relu);
        continue;
      }
      for (let c = 0; c < C; c++) {
        for (let iy = 0; iy < H; iy++) {
          const from = image + (c * H + iy) * W;
          padded.set(x.subarray(from, from + W), (c * PH + iy + pad) * PW + pad);
        }
      }
      product(padded, fromPadded, rowStarts.length, y, scatter, relu);
    }
  };
}

/**
 * y = conv(x, W) + b for `count` images of C × H × W (N × C × H × W, C order), written into `y`
 * (N × FN × OH × OW); `createConvolution` makes the plan once for many batches.
 */
export function convolutionInto(x: FloatArray, count: number, layer: ConvolutionLayer, y: FloatArray): void {
  createConvolution(layer)(x, count, y);
}
