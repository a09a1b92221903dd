import type { Network, Precision } from '../nn/network.js';
import type { WeightArrays } from '../weights/nd-array.js';
import { buildNetwork } from './build-network.js';
import { inferMlpSpec, type HiddenActivation } from './infer-mlp-spec.js';

export interface MlpOptions {
  /** The number of input values per image (rows × cols of the IDX images). */
  readonly inputSize: number;
  /** Activation of the hidden layers; the output layer is always softmax. */
  readonly activation?: HiddenActivation;
  /** Compute precision; by default that of the weights (float64 only if every array is float64). */
  readonly precision?: Precision;
}

/**
 * The network of the book's chapter 3 from `W1, b1 … Wn, bn`: affine layers in order, the hidden
 * ones followed by an activation, the last by softmax; every shape checked once, by `buildNetwork`.
 */
export function inferMlp(arrays: WeightArrays, file: string, options: MlpOptions): Network {
  const spec = inferMlpSpec(arrays, file, options.activation);
  return buildNetwork(spec, arrays, { file, imageShape: [1, options.inputSize], precision: options.precision });
}
