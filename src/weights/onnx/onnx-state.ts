/**
 * What the graph builder carries from node to node: the layers so far, the running shape of one
 * sample (the batch axis left out), the arrays, and the bias-less affine or convolution the last
 * node made, which an Add right after it completes.
 */
import { type ByteBudget, formatShape, quote } from '../decode-array.js';
import type { NdArray } from '../nd-array.js';
import type { LayerSpec } from '../../model/model-spec.js';
import type { NodeView } from './onnx-node.js';
import type { OnnxTensor } from './onnx-tensors.js';

export interface GraphState {
  readonly file: string;
  /** The default domain's opset. */
  readonly opset: number;
  /** The float initializers (and Constant values), then the arrays made from them. */
  readonly arrays: Map<string, NdArray>;
  /** Every initializer and Constant value, for the non-float ones (a Reshape's shape). */
  readonly tensors: Map<string, OnnxTensor>;
  readonly budget: ByteBudget;
  /** The graph input's first dim when it is a number (1), not a name. */
  readonly batch: number | undefined;
  readonly layers: LayerSpec[];
  shape: number[];
  open?: { readonly index: number; readonly size: number };
}

export const describe = (shape: readonly number[]): string => `(batch, ${shape.join(', ')})`;
export const sizeOf = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/** The float array named `name`, which the node takes as a weight. */
export function weight(view: NodeView, state: GraphState, name: string | undefined, role: string): NdArray & { readonly name: string } {
  if (name === undefined) return view.fail(`has no ${role}`);
  const array = state.arrays.get(name);
  if (array === undefined) {
    const tensor = state.tensors.get(name);
    return view.fail(`its ${role} ${quote(name)} is ${tensor ? 'not a float tensor' : 'not an initializer or a Constant'}, expected a float initializer`);
  }
  return { ...array, name };
}

export function expectShape(view: NodeView, array: NdArray & { readonly name: string }, role: string, shape: readonly number[]): void {
  if (array.shape.length !== shape.length || array.shape.some((d, i) => d !== shape[i])) {
    view.fail(`its ${role} ${quote(array.name)} has shape ${formatShape(array.shape)}, expected ${formatShape(shape)}`);
  }
}

/**
 * A new array the node makes from a file's array (a bias as (N,), weights scaled by alpha), named
 * after it and the node so that it never replaces one of the file's; its bytes are claimed first.
 */
export function derive(view: NodeView, state: GraphState, from: string, shape: readonly number[], make: (data: Float32Array | Float64Array) => Float32Array | Float64Array): string {
  const source = state.arrays.get(from)!;
  const name = `${from}@node${view.index + 1}`;
  state.budget.claim(`${view.label} ${quote(name)}`, shape, source.dtype);
  state.arrays.set(name, { shape: [...shape], dtype: source.dtype, data: make(source.data) });
  return name;
}

/** The same values as a vector: a bias stored as (1, N) or (N, 1, 1). */
export function asVector(view: NodeView, state: GraphState, array: NdArray & { readonly name: string }): string {
  if (array.shape.length === 1) return array.name;
  return derive(view, state, array.name, [array.data.length], (data) => data.slice());
}

/** `values` × `factor` in the array's own precision. */
export function scaled(data: Float32Array | Float64Array, factor: number): Float32Array | Float64Array {
  const out = data.slice();
  for (let i = 0; i < out.length; i++) out[i] = data[i] * factor;
  return out;
}

/** A layer that ends what an Add may complete. */
export function push(state: GraphState, layer: LayerSpec, open?: number): void {
  state.layers.push(layer);
  state.open = open === undefined ? undefined : { index: state.layers.length - 1, size: open };
}
