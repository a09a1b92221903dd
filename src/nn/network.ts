import type { FloatArray, Matrix } from './matrix.js';

export type Precision = 'float32' | 'float64';

/** y = x·W + b. `W` is `in × out`, row-major; names are those of the weight file. */
export interface AffineLayer {
  readonly kind: 'affine';
  readonly W: Matrix;
  readonly b: FloatArray;
  readonly names: { readonly W: string; readonly b: string };
}

export interface ActivationLayer {
  readonly kind: 'sigmoid' | 'relu' | 'softmax';
}

export type Layer = AffineLayer | ActivationLayer;

/** A feed-forward network: checked once when built, then used by `predict` without checks. */
export interface Network {
  readonly precision: Precision;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly layers: readonly Layer[];
}

export function parameterCount(network: Network): number {
  let count = 0;
  for (const layer of network.layers) {
    if (layer.kind === 'affine') count += layer.W.data.length + layer.b.length;
  }
  return count;
}

export function describeLayers(network: Network): string[] {
  return network.layers.map((layer) =>
    layer.kind === 'affine' ? `affine ${layer.W.rows}→${layer.W.cols} (${layer.names.W}, ${layer.names.b})` : layer.kind,
  );
}
