/**
 * Which networks the float64 convnet kernel runs, and how their weights and gather tables are laid
 * out in its memory (see assembly/convnet.ts, `product`): plain data, worked out once per kernel.
 */
import { poolsAsStored, type ConvolutionLayer } from '../nn/convolution.js';
import type { Layer, Network, PoolingLayer } from '../nn/network.js';

export type Support = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Columns of W per panel: two f64x2 vectors. */
export const PANEL = 4;

/** One step of an image before the first affine layer: a convolution (its ReLU and 2 × 2 max pooling fused), a ReLU, a dropout's scaling. */
export type ImageStep =
  | { readonly kind: 'convolution'; readonly layer: ConvolutionLayer; readonly relu: boolean; readonly pool?: PoolingLayer }
  | { readonly kind: 'relu' }
  | { readonly kind: 'scale'; readonly scale: number };

/** One step of the whole batch, from the first affine layer on. */
export type BatchStep =
  | { readonly kind: 'affine'; readonly layer: Extract<Layer, { kind: 'affine' }>; readonly relu: boolean }
  | { readonly kind: 'relu' }
  | { readonly kind: 'scale'; readonly scale: number };

export interface ConvnetSteps {
  readonly image: readonly ImageStep[];
  readonly batch: readonly BatchStep[];
  /** The network ends in a softmax (computed in JavaScript, on the batch's outputs). */
  readonly softmax: boolean;
}

/**
 * The network as the kernel's steps, or why it cannot be: float64, a convolution first, then
 * convolutions (each ReLU and 2 × 2 max pooling after one fused into it), ReLUs, dropouts and a
 * flatten, then affine layers with ReLUs and dropouts, and a softmax only last.
 */
export function convnetSteps(network: Network): ConvnetSteps | { readonly reason: string } {
  if (network.precision !== 'float64') return { reason: `it computes in float64, the network is ${network.precision}` };
  const { layers } = network;
  if (layers[0]?.kind !== 'convolution') return { reason: 'the first layer must be a convolution' };
  const image: ImageStep[] = [];
  const batch: BatchStep[] = [];
  let softmax = false;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const reluNext = layers[i + 1]?.kind === 'relu';
    const perImage = batch.length === 0;
    switch (layer.kind) {
      case 'convolution': {
        if (!perImage) return { reason: 'a convolution after an affine layer' };
        if (reluNext) i++;
        const after = layers[i + 1];
        const pool = after?.kind === 'pooling' && poolsAsStored(layer, after) ? after : undefined;
        if (pool !== undefined) i++;
        image.push({ kind: 'convolution', layer, relu: reluNext, pool });
        break;
      }
      case 'affine':
        if (reluNext) i++;
        batch.push({ kind: 'affine', layer, relu: reluNext });
        break;
      case 'relu':
        (perImage ? image : batch).push({ kind: 'relu' });
        break;
      case 'dropout':
        (perImage ? image : batch).push({ kind: 'scale', scale: layer.scale });
        break;
      case 'flatten':
        break;
      case 'softmax':
        if (i !== layers.length - 1) return { reason: 'softmax must be the last layer' };
        softmax = true;
        break;
      case 'pooling':
        return { reason: 'its poolings must be 2 × 2 max poolings every 2 cells, right after a convolution (and its ReLU)' };
      default:
        return { reason: `it has no ${layer.kind} layer` };
    }
  }
  return { image, batch, softmax };
}

/** W (K × cols, row-major) in panels of PANEL columns, the last padded with zero columns: panel p, row k at (p·K + k)·PANEL. */
export function packPanels(W: { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> }): Float64Array {
  const { rows: K, cols } = W;
  const panelCount = Math.ceil(cols / PANEL);
  const packed = new Float64Array(panelCount * K * PANEL);
  for (let p = 0; p < panelCount; p++) {
    for (let k = 0; k < K; k++) {
      for (let q = 0; q < PANEL && p * PANEL + q < cols; q++) packed[(p * K + k) * PANEL + q] = W.data[k * cols + p * PANEL + q];
    }
  }
  return packed;
}

/** The bias padded to whole panels. */
export function packBias(b: ArrayLike<number>, cols: number): Float64Array {
  const packed = new Float64Array(Math.ceil(cols / PANEL) * PANEL);
  for (let j = 0; j < cols; j++) packed[j] = b[j];
  return packed;
}

/**
 * A convolution's gather tables, in bytes: where each output position's patch starts in its
 * (padded) input, listed window by window when it pools, and where each (c, fy, fx) of a patch is
 * from there, as the book's im2col orders a row.
 */
export function convolutionTables(layer: ConvolutionLayer, pool: PoolingLayer | undefined): { rowStarts: Int32Array; offsets: Int32Array } {
  const [C, H, W] = layer.inputShape;
  const [, , FH, FW] = layer.filterShape;
  const { stride, pad } = layer;
  const PH = H + 2 * pad;
  const PW = W + 2 * pad;
  const start = (oy: number, ox: number): number => (oy * stride * PW + ox * stride) * 8;
  const [, outH, outW] = pool?.outputShape ?? layer.outputShape;
  const rowStarts = new Int32Array((pool === undefined ? 1 : 4) * outH * outW);
  for (let oy = 0, row = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      if (pool === undefined) rowStarts[row++] = start(oy, ox);
      else for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) rowStarts[row++] = start(2 * oy + dy, 2 * ox + dx);
    }
  }
  const offsets = new Int32Array(C * FH * FW);
  for (let c = 0; c < C; c++) {
    for (let fy = 0; fy < FH; fy++) {
      for (let fx = 0; fx < FW; fx++) offsets[(c * FH + fy) * FW + fx] = (c * PH * PW + fy * PW + fx) * 8;
    }
  }
  return { rowStarts, offsets };
}
