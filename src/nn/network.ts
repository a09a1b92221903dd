import type { ConvolutionLayer } from './convolution.js';
import type { FloatArray, Matrix } from './matrix.js';
import type { PixelStep } from './input.js';
import type { PoolingLayer } from './pooling.js';
import type { StandardizeLayer } from './standardize.js';

export type { ConvolutionLayer } from './convolution.js';
export type { PoolingLayer } from './pooling.js';
export type { StandardizeLayer } from './standardize.js';
export type { PixelStep } from './input.js';

export type Precision = 'float32' | 'float64';

/** y = x·W + b. `W` is `in × out`, row-major; names are those of the weight file. */
export interface AffineLayer {
  readonly kind: 'affine';
  readonly W: Matrix;
  readonly b: FloatArray;
  readonly names: { readonly W: string; readonly b?: string };
}

export interface ActivationLayer {
  readonly kind: 'sigmoid' | 'relu' | 'tanh' | 'softmax';
}

/** At inference the book's Dropout scales by the kept fraction: `scale` is 1 - ratio, in the network's precision. */
export interface DropoutLayer {
  readonly kind: 'dropout';
  readonly ratio: number;
  readonly scale: number;
}

/** C × H × W → C·H·W. The data is already laid out that way (C order): only the shape changes. */
export interface FlattenLayer {
  readonly kind: 'flatten';
}

export type Layer = AffineLayer | ActivationLayer | ConvolutionLayer | PoolingLayer | DropoutLayer | FlattenLayer | StandardizeLayer;

/** A feed-forward network: checked once when built, then used by `predict` without checks. */
export interface Network {
  readonly precision: Precision;
  readonly inputSize: number;
  /** The shape of one input: C × H × W for a convolutional network; absent for a flat vector of inputSize. */
  readonly inputShape?: readonly number[];
  readonly outputSize: number;
  readonly layers: readonly Layer[];
  /**
   * 'probabilities' when the model itself ends in a softmax; 'logits' when it ends without one
   * (or in a log-softmax): a softmax is then added as the last layer, so that the class is the
   * argmax of the logits and its confidence their softmax.
   */
  readonly output?: 'probabilities' | 'logits';
  /**
   * What becomes of a pixel after the kernel's `normalize` scaling (x / 255): the user's
   * `--mean`/`--std`, a leading Rescaling of the model. Absent: nothing more.
   */
  readonly pixels?: readonly PixelStep[];
  /** The model takes raw 0..255 pixels (it starts with a Rescaling): no x / 255, whatever `normalize` says. */
  readonly rawPixels?: boolean;
}

/** The values per image after `layer`, given `width` values per image before it. */
export function layerOutputSize(layer: Layer, width: number): number {
  switch (layer.kind) {
    case 'affine':
      return layer.W.cols;
    case 'convolution':
    case 'pooling':
      return layer.outputShape[0] * layer.outputShape[1] * layer.outputShape[2];
    default:
      return width;
  }
}

export function parameterCount(network: Network): number {
  let count = 0;
  for (const layer of network.layers) {
    if (layer.kind === 'affine' || layer.kind === 'convolution') count += layer.W.data.length + layer.b.length;
  }
  return count;
}

export function describeLayers(network: Network): string[] {
  return network.layers.map(describeLayer);
}

export function describeLayer(layer: Layer): string {
  switch (layer.kind) {
    case 'affine':
      return `affine ${layer.W.rows}→${layer.W.cols} (${[layer.names.W, layer.names.b].filter(Boolean).join(', ')})`;
    case 'convolution': {
      const [FN, C, FH, FW] = layer.filterShape;
      return `convolution ${FN}×${C}×${FH}×${FW} stride ${layer.stride} pad ${layer.pad} → ${layer.outputShape.join('×')} (${[layer.names.W, layer.names.b].filter(Boolean).join(', ')})`;
    }
    case 'pooling':
      return `pooling ${layer.mode} ${layer.size.join('×')} stride ${layer.stride} → ${layer.outputShape.join('×')}`;
    case 'standardize':
      return `${layer.from} over ${Math.max(layer.mean.length, layer.std.length, layer.scale.length, layer.shift.length)} channel(s)`;
    case 'dropout':
      return `dropout ${layer.ratio} (×${layer.scale})`;
    default:
      return layer.kind;
  }
}
