import type { FloatArray } from './matrix.js';

/**
 * The book's `Pooling` layer (max pooling): each channel of a C × H × W input is cut into
 * windows of PH × PW every `stride` cells, and each window gives its largest value: C × OH × OW.
 * Average pooling (ONNX AveragePool, Keras AveragePooling2D, no padding) gives the window's mean.
 */
export interface PoolingLayer {
  readonly kind: 'pooling';
  readonly mode: 'max' | 'average';
  /** PH, PW: the window. */
  readonly size: readonly [number, number];
  readonly stride: number;
  /** C, H, W of one input. */
  readonly inputShape: readonly [number, number, number];
  /** C, OH, OW of one output. */
  readonly outputShape: readonly [number, number, number];
}

/** Output length along one axis, as the book's `1 + (H - PH) // stride`; 0 or less if no window fits. */
export function poolingOutputLength(inputLength: number, windowLength: number, stride: number): number {
  return Math.floor((inputLength - windowLength) / stride) + 1;
}

/**
 * Max pooling of `count` inputs (N × C × H × W, C order) into `y` (N × C × OH × OW). Math.max, so
 * that NaN wins, as in np.max. The book's 2 × 2 window has a loop of its own, without the loops
 * over the window (twice as fast). Right after a convolution, `createPredict` pools as the
 * convolution stores its sums instead (`poolsAsStored`), and this runs only for other poolings.
 */
export function maxPoolInto(x: FloatArray, count: number, layer: PoolingLayer, y: FloatArray): void {
  if (layer.mode === 'average') {
    averagePoolInto(x, count, layer, y);
    return;
  }
  const [C, H, W] = layer.inputShape;
  const [, OH, OW] = layer.outputShape;
  const [PH, PW] = layer.size;
  const { stride } = layer;
  const plane = H * W;
  let out = 0;
  for (let channel = 0; channel < count * C; channel++) {
    const xPlane = channel * plane;
    for (let oy = 0; oy < OH; oy++) {
      const top = xPlane + oy * stride * W;
      if (PH === 2 && PW === 2) {
        for (let ox = 0, corner = top; ox < OW; ox++, corner += stride) {
          y[out++] = Math.max(Math.max(x[corner], x[corner + 1]), Math.max(x[corner + W], x[corner + W + 1]));
        }
        continue;
      }
      for (let ox = 0, corner = top; ox < OW; ox++, corner += stride) {
        let max = x[corner];
        for (let py = 0, row = corner; py < PH; py++, row += W) {
          for (let px = 0; px < PW; px++) max = Math.max(max, x[row + px]);
        }
        y[out++] = max;
      }
    }
  }
}

/** Average pooling: each window's sum in its own precision, divided by the window's size. */
function averagePoolInto(x: FloatArray, count: number, layer: PoolingLayer, y: FloatArray): void {
  const [C, H, W] = layer.inputShape;
  const [, OH, OW] = layer.outputShape;
  const [PH, PW] = layer.size;
  const { stride } = layer;
  const round = x instanceof Float32Array ? Math.fround : (v: number) => v;
  const cells = PH * PW;
  let out = 0;
  for (let channel = 0; channel < count * C; channel++) {
    const xPlane = channel * H * W;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0, corner = xPlane + oy * stride * W; ox < OW; ox++, corner += stride) {
        let sum = 0;
        for (let py = 0, row = corner; py < PH; py++, row += W) {
          for (let px = 0; px < PW; px++) sum = round(sum + x[row + px]);
        }
        y[out++] = sum / cells;
      }
    }
  }
}
