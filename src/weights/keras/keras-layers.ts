/**
 * A chain of Keras layers and their stored variables → our ModelSpec and its arrays. Keras is
 * channels-last (one input is H × W × C) and our network C × H × W, so Conv2D kernels are
 * transposed HWIO → OIHW, and the rows of the Dense kernel that follows a Flatten (and the
 * values of a Normalization there) are permuted from Keras's (h, w, c) order to (c, h, w). Each
 * option outside what the layer vocabulary computes exactly is refused, naming the layer.
 */
import { InputError } from '../../errors.js';
import type { LayerSpec, ModelSpec } from '../../model/model-spec.js';
import { formatShape, quote } from '../decode-array.js';
import type { NdArray, WeightArrays } from '../nd-array.js';
import { checkActivation, checkFormat, checkNone, kernelPair, layerFail, positiveInteger, type Fail } from './keras-options.js';
import type { KerasLayer, KerasModel } from './keras-config.js';
import { hwcToChw, hwioToOihw } from './keras-permute.js';

/** One variable a file stores for a layer, in the layer's order (vars/0, vars/1 …). */
export interface StoredVar {
  /** Where it is in the file, for messages (`layers/dense/vars/0`). */
  readonly path: string;
  /** Its declared shape, checked before it is read; undefined for a var that is not float data (a counter). */
  readonly shape: readonly number[] | undefined;
  /** Its stored type (`<f4`), for messages. */
  readonly dtype: string;
  read(): NdArray;
}

export interface LayerWeights {
  /** The stored variables of the layer named `layer`, or undefined when the file has none for it. */
  vars(layer: string): readonly StoredVar[] | undefined;
  /** Why a layer's weights were not found, e.g. `model.weights.h5 has no layers/…/vars group named 'fc1'`. */
  missing(layer: string): string;
}

/** The shape of one value flowing through the chain: flat (remembering a Flatten's H × W × C) or an image. */
type Shape =
  | { readonly kind: 'flat'; readonly n: number; readonly hwc?: readonly [number, number, number] }
  | { readonly kind: 'image'; readonly h: number; readonly w: number; readonly c: number };

const SUPPORTED = 'InputLayer, Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dropout, Activation, ReLU, Softmax, Rescaling and Normalization';

export function kerasSpec(model: KerasModel, weights: LayerWeights, file: string): { spec: ModelSpec; arrays: WeightArrays } {
  const input = model.input;
  let shape: Shape = input.length === 1 ? { kind: 'flat', n: input[0] } : { kind: 'image', h: input[0], w: input[1], c: input[2] ?? 1 };
  const specInput = shape.kind === 'flat' ? [shape.n] : [shape.c, shape.h, shape.w];
  const layers: LayerSpec[] = [];
  const arrays: WeightArrays = new Map();
  for (const layer of model.layers) {
    const step = convertLayer(layer, shape, weights, file);
    layers.push(...step.layers);
    for (const [name, array] of step.arrays) {
      if (arrays.has(name)) throw new InputError(file, `two layers make the array ${quote(name)}`);
      arrays.set(name, array);
    }
    shape = step.shape;
  }
  if (layers.length === 0) throw new InputError(file, `the model ${quote(model.name)} computes nothing (no layer but its input)`);
  return { spec: { name: model.name, input: specInput, layers }, arrays };
}

interface Step {
  readonly layers: LayerSpec[];
  readonly arrays: [string, NdArray][];
  readonly shape: Shape;
}

function convertLayer(layer: KerasLayer, shape: Shape, weights: LayerWeights, file: string): Step {
  const fail = layerFail(file, layer);
  const { config } = layer;
  const none = (next: Shape = shape): Step => ({ layers: [], arrays: [], shape: next });
  const plain = (spec: LayerSpec | undefined): Step => ({ layers: spec ? [spec] : [], arrays: [], shape });
  switch (layer.className) {
    case 'Dense':
      return dense(layer, shape, weights, fail);
    case 'Conv2D':
      return conv2d(layer, shape, weights, fail);
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return pooling(layer, shape, fail);
    case 'Flatten':
      if (shape.kind === 'flat') return none();
      checkFormat(config, fail);
      return { layers: [{ type: 'flatten' }], arrays: [], shape: { kind: 'flat', n: shape.h * shape.w * shape.c, hwc: [shape.h, shape.w, shape.c] } };
    case 'Dropout':
      return none(); // the identity at inference
    case 'Activation':
      return plain(checkActivation(config.activation, shape.kind === 'flat', fail));
    case 'ReLU':
      checkNone(config, 'max_value', fail);
      for (const key of ['negative_slope', 'threshold']) {
        if ((config[key] ?? 0) !== 0) fail(`${quote(key)} is ${JSON.stringify(config[key])}, only 0 is supported`);
      }
      return plain({ type: 'relu' });
    case 'Softmax': {
      const axis = config.axis ?? -1;
      if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) fail(`'axis' is ${JSON.stringify(axis)}, only -1 is supported`);
      if (shape.kind !== 'flat') fail('a softmax over the channels of an image is not supported, only over a flat input');
      return plain({ type: 'softmax' });
    }
    case 'Rescaling': {
      const scale = config.scale;
      const offset = config.offset ?? 0;
      if (typeof scale !== 'number' || !Number.isFinite(scale)) fail(`'scale' must be one number, got ${JSON.stringify(scale)?.slice(0, 40)}`);
      if (typeof offset !== 'number' || !Number.isFinite(offset)) fail(`'offset' must be one number, got ${JSON.stringify(offset)?.slice(0, 40)}`);
      return plain({ type: 'rescale', scale: scale as number, offset: offset as number });
    }
    case 'Normalization':
      return normalization(layer, shape, weights, fail);
    default:
      throw new InputError(file, `layer ${quote(layer.name)} (${layer.className}) is not supported; supported layers: ${SUPPORTED}`);
  }
}

/** The layer's float vars, checked in number and shape against `expected` (name → shape) before any is read. */
function layerVars(layer: KerasLayer, weights: LayerWeights, expected: [string, readonly number[]][], fail: Fail, extra = 0): NdArray[] {
  const vars = weights.vars(layer.name);
  if (vars === undefined) return fail(`no weights found: ${weights.missing(layer.name)}`);
  if (vars.length < expected.length || vars.length > expected.length + extra) {
    fail(`the file holds ${vars.length} weights for it, expected ${expected.length} (${expected.map(([name]) => name).join(', ')})`);
  }
  expected.forEach(([name, want], i) => {
    const got = vars[i].shape;
    if (got === undefined) fail(`${name} ${vars[i].path} has dtype ${quote(vars[i].dtype)}, expected float16, float32 or float64`);
    const size = (s: readonly number[]) => s.reduce((n, d) => n * d, 1);
    const same = got.length === want.length ? got.every((d, k) => d === want[k]) : size(got) === size(want) && name !== 'kernel';
    if (!same) fail(`${name} ${vars[i].path} has shape ${formatShape(got)}, expected ${formatShape(want)}`);
  });
  return expected.map((_, i) => vars[i].read());
}

function dense(layer: KerasLayer, shape: Shape, weights: LayerWeights, fail: Fail): Step {
  const { config, name } = layer;
  if (shape.kind !== 'flat') fail(`takes a 3-D input ${formatShape([shape.h, shape.w, shape.c])}; a Dense is supported on a flat input only (add a Flatten)`);
  const flat = shape as Extract<Shape, { kind: 'flat' }>;
  const units = positiveInteger(config.units, 'units', fail);
  checkNone(config, 'lora_rank', fail);
  checkNone(config, 'quantization_config', fail);
  const useBias = config.use_bias ?? true;
  const expected: [string, number[]][] = [['kernel', [flat.n, units]]];
  if (useBias) expected.push(['bias', [units]]);
  const activation = checkActivation(config.activation, true, fail);
  const [kernel, bias] = layerVars(layer, weights, expected, fail);
  const W = flat.hwc ? { ...kernel, data: hwcToChw(kernel.data, flat.hwc, units) } : kernel;
  const arrays: [string, NdArray][] = [[`${name}/kernel`, W]];
  if (bias) arrays.push([`${name}/bias`, { ...bias, shape: [units] }]);
  const affine: LayerSpec = bias ? { type: 'affine', W: `${name}/kernel`, b: `${name}/bias` } : { type: 'affine', W: `${name}/kernel` };
  return { layers: activation ? [affine, activation] : [affine], arrays, shape: { kind: 'flat', n: units } };
}

function conv2d(layer: KerasLayer, shape: Shape, weights: LayerWeights, fail: Fail): Step {
  const { config, name } = layer;
  if (shape.kind !== 'image') return fail(`takes a flat input (${(shape as { n: number }).n},), expected an image (height, width, channels)`);
  checkFormat(config, fail);
  const filters = positiveInteger(config.filters, 'filters', fail);
  const [kh, kw] = kernelPair(config.kernel_size, 'kernel_size', fail);
  const [sh, sw] = kernelPair(config.strides ?? 1, 'strides', fail);
  if (sh !== sw) fail(`'strides' ${JSON.stringify(config.strides)}: different strides along height and width are not supported`);
  const [dh, dw] = kernelPair(config.dilation_rate ?? 1, 'dilation_rate', fail);
  if (dh !== 1 || dw !== 1) fail(`'dilation_rate' ${JSON.stringify(config.dilation_rate)} is not supported, only 1`);
  if ((config.groups ?? 1) !== 1) fail(`'groups' ${JSON.stringify(config.groups)} is not supported, only 1`);
  checkNone(config, 'lora_rank', fail);
  const padding = config.padding ?? 'valid';
  let pad = 0;
  if (padding === 'same') {
    // Keras pads 'same' asymmetrically unless the stride is 1 and the kernel odd and square.
    if (sh !== 1 || kh !== kw || kh % 2 === 0) fail(`padding 'same' with kernel ${kh}×${kw} and stride ${sh} pads unevenly, which is not supported (only an odd square kernel with stride 1)`);
    pad = (kh - 1) / 2;
  } else if (padding !== 'valid') {
    fail(`padding ${JSON.stringify(padding)} is not supported, expected 'valid' or 'same'`);
  }
  const oh = Math.floor((shape.h + 2 * pad - kh) / sh) + 1;
  const ow = Math.floor((shape.w + 2 * pad - kw) / sh) + 1;
  if (oh < 1 || ow < 1) fail(`kernel ${kh}×${kw} is larger than its input ${shape.h}×${shape.w}`);
  const useBias = config.use_bias ?? true;
  const expected: [string, number[]][] = [['kernel', [kh, kw, shape.c, filters]]];
  if (useBias) expected.push(['bias', [filters]]);
  const activation = checkActivation(config.activation, false, fail);
  const [kernel, bias] = layerVars(layer, weights, expected, fail);
  const arrays: [string, NdArray][] = [[`${name}/kernel`, { dtype: kernel.dtype, shape: [filters, shape.c, kh, kw], data: hwioToOihw(kernel.data, [kh, kw, shape.c, filters]) }]];
  if (bias) arrays.push([`${name}/bias`, { ...bias, shape: [filters] }]);
  const conv: LayerSpec = { type: 'convolution', W: `${name}/kernel`, ...(bias ? { b: `${name}/bias` } : {}), stride: sh, pad };
  return { layers: activation ? [conv, activation] : [conv], arrays, shape: { kind: 'image', h: oh, w: ow, c: filters } };
}

function pooling(layer: KerasLayer, shape: Shape, fail: Fail): Step {
  const { config } = layer;
  if (shape.kind !== 'image') return fail('takes a flat input, expected an image (height, width, channels)');
  checkFormat(config, fail);
  const [ph, pw] = kernelPair(config.pool_size ?? 2, 'pool_size', fail);
  const [sh, sw] = config.strides == null ? [ph, pw] : kernelPair(config.strides, 'strides', fail);
  if (sh !== sw) fail(`strides ${sh}×${sw} differ along height and width, which is not supported`);
  if ((config.padding ?? 'valid') !== 'valid') fail(`padding ${JSON.stringify(config.padding)} is not supported, only 'valid'`);
  const oh = Math.floor((shape.h - ph) / sh) + 1;
  const ow = Math.floor((shape.w - pw) / sh) + 1;
  if (oh < 1 || ow < 1) fail(`pool ${ph}×${pw} is larger than its input ${shape.h}×${shape.w}`);
  const mode = layer.className === 'MaxPooling2D' ? 'max' : 'average';
  return { layers: [{ type: 'pooling', mode, size: ph === pw ? ph : [ph, pw], stride: sh }], arrays: [], shape: { kind: 'image', h: oh, w: ow, c: shape.c } };
}

function normalization(layer: KerasLayer, shape: Shape, weights: LayerWeights, fail: Fail): Step {
  const { config, name } = layer;
  const axis = config.axis === undefined ? -1 : config.axis;
  const rank = shape.kind === 'flat' ? 1 : 3;
  const last = (a: unknown) => a === -1 || a === rank;
  if (!(last(axis) || (Array.isArray(axis) && axis.length === 1 && last(axis[0])))) fail(`'axis' ${JSON.stringify(axis)} is not supported, only the last axis (-1)`);
  if (config.invert === true) fail("'invert' true is not supported");
  const channels = shape.kind === 'flat' ? shape.n : shape.c;
  let mean: NdArray;
  let variance: NdArray;
  if (config.mean != null || config.variance != null) {
    mean = configValues(config.mean, 'mean', channels, fail);
    variance = configValues(config.variance, 'variance', channels, fail);
  } else {
    [mean, variance] = layerVars(layer, weights, [['mean', [channels]], ['variance', [channels]]], fail, 1);
  }
  const negative = variance.data.findIndex((v) => v < 0);
  if (negative >= 0) fail(`variance[${negative}] is ${variance.data[negative]}, a variance cannot be negative`);
  const hwc = shape.kind === 'flat' ? shape.hwc : undefined;
  const reorder = (array: NdArray): NdArray => ({ dtype: array.dtype, shape: [channels], data: hwc ? hwcToChw(array.data, hwc, 1) : array.data });
  return {
    layers: [{ type: 'normalize', mean: `${name}/mean`, variance: `${name}/variance` }],
    arrays: [[`${name}/mean`, reorder(mean)], [`${name}/variance`, reorder(variance)]],
    shape,
  };
}

/** A Normalization's `mean` or `variance` given in its config: one number, or one per channel. */
function configValues(value: unknown, key: string, channels: number, fail: Fail): NdArray {
  const values = typeof value === 'number' ? [value] : Array.isArray(value) ? value.flat(3) : undefined;
  if (values === undefined || !values.every((v) => typeof v === 'number' && Number.isFinite(v)) || (values.length !== 1 && values.length !== channels)) {
    return fail(`${quote(key)} must be a number or ${channels} numbers (one per channel), got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  const data = Float32Array.from({ length: channels }, (_, i) => values[values.length === 1 ? 0 : i] as number);
  return { shape: [channels], dtype: 'float32', data };
}
