/**
 * One layer of a model description, checked against the shape the layer before it gives and
 * turned into the network's layer: the weights converted to the compute precision and laid out for
 * the kernels (a torch `Linear`'s out × in matrix transposed once, filters as columns).
 */
import { convolutionOutputLength, filtersToColumns, type ConvolutionLayer } from '../nn/convolution.js';
import type { FloatArray } from '../nn/matrix.js';
import type { Layer, Precision } from '../nn/network.js';
import { poolingOutputLength, type PoolingLayer } from '../nn/pooling.js';
import type { StandardizeLayer } from '../nn/standardize.js';
import { formatShape } from '../weights/decode-array.js';
import type { NdArray, WeightArrays } from '../weights/nd-array.js';
import type { BatchNormSpec, LayerSpec, NormalizeSpec, RescaleSpec } from './model-spec.js';

/** What a layer is built in: the arrays, the precision, the shape coming in, and how to fail. */
export interface LayerContext {
  readonly arrays: WeightArrays;
  readonly precision: Precision;
  readonly shape: readonly number[];
  /** Where the layer is, for errors: `layer 2 (affine fc1.weight, fc1.bias)`. */
  readonly at: string;
  /** What gives `shape`, for errors: `layer 1 (relu) gives (50,)`. */
  readonly gives: () => string;
  readonly fail: (problem: string) => never;
}

/** The names of the arrays a layer uses, in the file's terms. */
export function arrayNames(layer: LayerSpec): string[] {
  switch (layer.type) {
    case 'affine':
    case 'convolution':
      return [layer.W, ...(layer.b === undefined ? [] : [layer.b])];
    case 'batch-norm':
      return [layer.mean, layer.variance, ...(layer.scale === undefined ? [] : [layer.scale]), ...(layer.shift === undefined ? [] : [layer.shift])];
    case 'normalize':
      return [layer.mean, layer.variance];
    default:
      return [];
  }
}

export const size = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/** The network layer of `spec` and the shape it gives, or undefined for a layer that is the identity here. */
export function buildLayer(spec: LayerSpec, c: LayerContext): { layer?: Layer; shape: readonly number[] } {
  const { shape, at, gives, fail } = c;
  switch (spec.type) {
    case 'affine': {
      const W = c.arrays.get(spec.W)!;
      if (W.shape.length !== 2) fail(`${at}: ${spec.W} must be a 2-D matrix (${spec.transpose ? 'out × in' : 'in × out'}), got ${formatShape(W.shape)}`);
      const [rows, cols] = spec.transpose ? [W.shape[1], W.shape[0]] : W.shape;
      if (rows !== size(shape)) fail(`${at}: ${spec.W} ${formatShape(W.shape)} takes ${rows} inputs, but ${gives()}`);
      const data = convert(W, c.precision);
      const b = bias(spec.b, cols, spec.W, W, c);
      return {
        layer: { kind: 'affine', W: { rows, cols, data: spec.transpose ? transpose(data, cols, rows) : data }, b, names: { W: spec.W, b: spec.b } },
        shape: [cols],
      };
    }
    case 'convolution': {
      const W = c.arrays.get(spec.W)!;
      const stride = spec.stride ?? 1;
      const pad = spec.pad ?? 0;
      if (W.shape.length !== 4) fail(`${at}: ${spec.W} must hold filters FN × C × FH × FW, got ${formatShape(W.shape)}`);
      const [FN, C, FH, FW] = W.shape;
      if (shape.length !== 3) fail(`${at}: needs a C × H × W input, but ${gives()}`);
      const [inC, H, Wd] = shape;
      if (C !== inC) fail(`${at}: ${spec.W} ${formatShape(W.shape)} takes ${C} channels, but ${gives()}`);
      const OH = convolutionOutputLength(H, FH, stride, pad);
      const OW = convolutionOutputLength(Wd, FW, stride, pad);
      if (OH < 1 || OW < 1) fail(`${at}: ${spec.W} ${formatShape(W.shape)} with pad ${pad} does not fit in ${H}×${Wd}, as ${gives()}`);
      const filterShape = [FN, C, FH, FW] as const;
      const layer: ConvolutionLayer = {
        kind: 'convolution',
        W: filtersToColumns(convert(W, c.precision), filterShape),
        b: bias(spec.b, FN, spec.W, W, c),
        filterShape,
        stride,
        pad,
        inputShape: [C, H, Wd],
        outputShape: [FN, OH, OW],
        names: { W: spec.W, b: spec.b },
      };
      return { layer, shape: layer.outputShape };
    }
    case 'pooling': {
      const [PH, PW] = typeof spec.size === 'number' ? [spec.size, spec.size] : spec.size;
      const stride = spec.stride ?? PH;
      if (shape.length !== 3) fail(`${at}: needs a C × H × W input, but ${gives()}`);
      const [C, H, Wd] = shape;
      const OH = poolingOutputLength(H, PH, stride);
      const OW = poolingOutputLength(Wd, PW, stride);
      if (OH < 1 || OW < 1) fail(`${at}: a ${PH}×${PW} window does not fit in ${H}×${Wd}, as ${gives()}`);
      const layer: PoolingLayer = { kind: 'pooling', mode: spec.mode ?? 'max', size: [PH, PW], stride, inputShape: [C, H, Wd], outputShape: [C, OH, OW] };
      return { layer, shape: layer.outputShape };
    }
    case 'dropout': {
      const keep = 1 - spec.ratio;
      return { layer: { kind: 'dropout', ratio: spec.ratio, scale: c.precision === 'float32' ? Math.fround(keep) : keep }, shape };
    }
    case 'batch-norm':
    case 'normalize':
    case 'rescale':
      return { layer: standardize(spec, c), shape };
    case 'flatten':
      return { layer: { kind: 'flatten' }, shape: [size(shape)] };
    case 'softmax':
    case 'log-softmax':
      if (shape.length !== 1) fail(`${at}: needs a flat input (softmax over the classes), but ${gives()}; put a flatten layer before it`);
      return { layer: { kind: 'softmax' }, shape };
    default:
      return { layer: { kind: spec.type }, shape };
  }
}

/** The bias named `name`, checked to have `outputs` values; zeros when the layer has none. */
function bias(name: string | undefined, outputs: number, WName: string, W: NdArray, c: LayerContext): FloatArray {
  if (name === undefined) return c.precision === 'float64' ? new Float64Array(outputs) : new Float32Array(outputs);
  const b = c.arrays.get(name)!;
  if (b.shape.length !== 1 || b.shape[0] !== outputs) {
    c.fail(`${c.at}: ${name} ${formatShape(b.shape)} does not match ${WName} ${formatShape(W.shape)}: expected (${outputs},)`);
  }
  return convert(b, c.precision);
}

/** Batch-norm, Keras's Normalization and a Rescaling inside the model, as one standardize layer. */
function standardize(spec: BatchNormSpec | NormalizeSpec | RescaleSpec, c: LayerContext): StandardizeLayer {
  const { shape, precision } = c;
  const plane = shape.length === 3 ? shape[1] * shape[2] : 1;
  const base = { kind: 'standardize' as const, size: size(shape), plane, from: spec.type };
  const make = (values: readonly number[]): FloatArray => (precision === 'float64' ? Float64Array.from(values) : Float32Array.from(values));
  if (spec.type === 'rescale') return { ...base, mean: make([0]), std: make([1]), scale: make([spec.scale]), shift: make([spec.offset]) };
  const channels = shape.length === 3 ? shape[0] : size(shape);
  const vector = (name: string | undefined, fallback: number): FloatArray => {
    if (name === undefined) return make([fallback]);
    const array = c.arrays.get(name)!;
    if (array.shape.length !== 1 || array.shape[0] !== channels) {
      c.fail(`${c.at}: ${name} ${formatShape(array.shape)} must hold one value per channel: (${channels},), as ${c.gives()}`);
    }
    return convert(array, precision);
  };
  const round = precision === 'float32' ? Math.fround : (v: number) => v;
  const mean = vector(spec.mean, 0);
  const variance = vector(spec.variance, 1);
  // torch and onnxruntime divide by √(var + ε); Keras's Normalization by max(√var, 1e-7).
  const std = variance.map((v) => (spec.type === 'batch-norm' ? round(Math.sqrt(round(v + spec.epsilon))) : Math.max(round(Math.sqrt(v)), round(1e-7))));
  if (spec.type === 'batch-norm') return { ...base, mean, std, scale: vector(spec.scale, 1), shift: vector(spec.shift, 0) };
  return { ...base, mean, std, scale: make([1]), shift: make([0]) };
}

function convert(array: NdArray, precision: Precision): FloatArray {
  const wanted = precision === 'float64' ? Float64Array : Float32Array;
  return array.data instanceof wanted ? array.data : wanted.from(array.data);
}

/** A rows × cols matrix (row-major) transposed into a new cols × rows one. */
function transpose(data: FloatArray, rows: number, cols: number): FloatArray {
  const out = data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) out[k * rows + r] = data[r * cols + k];
  return out;
}
