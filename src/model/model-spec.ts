/**
 * A model description: a list of layers, each naming the arrays of the weight file it uses.
 * It is plain data, written by hand as JSON (`--model net.json`), taken from a preset, or inferred
 * from the array names; `buildNetwork` checks it against the weights and the input shape.
 *
 * ```json
 * { "name": "my-convnet",
 *   "layers": [
 *     { "type": "convolution", "W": "W1", "b": "b1", "stride": 1, "pad": 0 },
 *     { "type": "relu" },
 *     { "type": "pooling", "size": 2, "stride": 2 },
 *     { "type": "affine", "W": "W2", "b": "b2" },
 *     { "type": "softmax" } ] }
 * ```
 */
import { InputError } from '../errors.js';

export interface AffineSpec {
  readonly type: 'affine';
  /** Name of the weight matrix in the weight file: in × out, or out × in with `transpose`. */
  readonly W: string;
  /** Name of the bias; absent: no bias (zeros). */
  readonly b?: string;
  /** The matrix is stored out × in, as a torch `Linear` or an ONNX `Gemm(transB=1)` holds it (y = x·Wᵀ + b). */
  readonly transpose?: boolean;
}

export interface ConvolutionSpec {
  readonly type: 'convolution';
  /** Name of the FN × C × FH × FW filters in the weight file (torch's and ONNX's OIHW order). */
  readonly W: string;
  /** Name of the bias; absent: no bias (zeros). */
  readonly b?: string;
  /** Default 1. */
  readonly stride?: number;
  /** Rows and columns of zeros around the input; default 0. */
  readonly pad?: number;
}

export interface PoolingSpec {
  readonly type: 'pooling';
  /** Default 'max'. 'average' divides by the window's size (no padding). */
  readonly mode?: 'max' | 'average';
  /** The window: n for n × n, or [height, width]. */
  readonly size: number | readonly [number, number];
  /** Default: the window height. */
  readonly stride?: number;
}

export interface DropoutSpec {
  readonly type: 'dropout';
  /**
   * The book's Dropout: at inference values are scaled by 1 - ratio, 0 ≤ ratio < 1. (ONNX's and
   * Keras's Dropout are the identity at inference: their readers leave them out.)
   */
  readonly ratio: number;
}

/**
 * Inference batch normalization over the channels (C of C × H × W, or each value of a flat
 * input): y = (x − mean) / √(variance + epsilon) · scale + shift; arrays named in the file.
 */
export interface BatchNormSpec {
  readonly type: 'batch-norm';
  readonly mean: string;
  readonly variance: string;
  /** Absent: 1. */
  readonly scale?: string;
  /** Absent: 0. */
  readonly shift?: string;
  readonly epsilon: number;
}

/** Keras's Normalization layer: y = (x − mean) / max(√variance, 1e-7), over the channels as batch-norm. */
export interface NormalizeSpec {
  readonly type: 'normalize';
  readonly mean: string;
  readonly variance: string;
}

/** Keras's Rescaling: y = x · scale + offset. As a model's first layer it means the model takes raw 0..255 pixels. */
export interface RescaleSpec {
  readonly type: 'rescale';
  readonly scale: number;
  readonly offset: number;
}

export interface PlainLayerSpec {
  /** `log-softmax`: the model ends in log-probabilities, scored as logits. */
  readonly type: 'sigmoid' | 'relu' | 'tanh' | 'softmax' | 'log-softmax' | 'flatten';
}

export type LayerSpec = AffineSpec | ConvolutionSpec | PoolingSpec | DropoutSpec | BatchNormSpec | NormalizeSpec | RescaleSpec | PlainLayerSpec;

export interface ModelSpec {
  /** Shown in the report; a preset's name, or the JSON file's `name`. */
  readonly name: string;
  /**
   * The shape of one input image, checked against the IDX header: [1, H, W] (the image as one
   * channel) or [H·W] (a flat vector). Default: [1, H, W] if a layer is a convolution or a
   * pooling, else [H·W].
   */
  readonly input?: readonly number[];
  readonly layers: readonly LayerSpec[];
}

/** The most layers a model may list: the book's deepest network has 21. */
export const MAX_LAYERS = 256;

export const LAYER_TYPES = [
  'affine', 'convolution', 'pooling', 'dropout', 'batch-norm', 'normalize', 'rescale',
  'sigmoid', 'relu', 'tanh', 'softmax', 'log-softmax', 'flatten',
] as const;

const KEYS: Readonly<Record<LayerSpec['type'], readonly string[]>> = {
  affine: ['type', 'W', 'b', 'transpose'],
  convolution: ['type', 'W', 'b', 'stride', 'pad'],
  pooling: ['type', 'mode', 'size', 'stride'],
  dropout: ['type', 'ratio'],
  'batch-norm': ['type', 'mean', 'variance', 'scale', 'shift', 'epsilon'],
  normalize: ['type', 'mean', 'variance'],
  rescale: ['type', 'scale', 'offset'],
  sigmoid: ['type'],
  relu: ['type'],
  tanh: ['type'],
  softmax: ['type'],
  'log-softmax': ['type'],
  flatten: ['type'],
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isPositiveInteger = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 1;

/**
 * Checks parsed JSON against the model format and returns it as a ModelSpec. Errors name `file`,
 * the layer (`layer 3 (pooling)`) and what was expected. `fallbackName` names a model without `name`.
 */
export function parseModelSpec(json: unknown, file: string, fallbackName = file): ModelSpec {
  const fail = (problem: string): never => {
    throw new InputError(file, problem);
  };
  if (!isRecord(json)) return fail(`expected a JSON object with "layers", got ${describeJson(json)}`);
  const unknown = Object.keys(json).filter((key) => !['name', 'input', 'layers', 'description'].includes(key));
  if (unknown.length > 0) fail(`unknown key ${describeJson(unknown[0])}, expected name, input, layers or description`);
  if (json.name !== undefined && typeof json.name !== 'string') fail(`"name" must be a string, got ${describeJson(json.name)}`);
  if (json.input !== undefined && !(Array.isArray(json.input) && json.input.length > 0 && json.input.every(isPositiveInteger))) {
    fail(`"input" must be a shape such as [1, 28, 28] or [784], got ${describeJson(json.input)}`);
  }
  if (!Array.isArray(json.layers) || json.layers.length === 0) {
    return fail(`"layers" must be a non-empty list of layers, got ${describeJson(json.layers)}`);
  }
  if (json.layers.length > MAX_LAYERS) fail(`"layers" lists ${json.layers.length} layers, more than the limit of ${MAX_LAYERS}`);
  const layers = json.layers.map((layer: unknown, i: number) => parseLayer(layer, `layer ${i + 1}`, fail));
  return { name: (json.name as string | undefined) ?? fallbackName, input: json.input as number[] | undefined, layers };
}

function parseLayer(layer: unknown, where: string, fail: (problem: string) => never): LayerSpec {
  if (!isRecord(layer)) return fail(`${where}: expected an object such as {"type": "relu"}, got ${describeJson(layer)}`);
  const type = layer.type;
  if (typeof type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(type)) {
    return fail(`${where}: unknown type ${JSON.stringify(type)}, expected one of ${LAYER_TYPES.join(', ')}`);
  }
  const kind = type as LayerSpec['type'];
  const at = `${where} (${kind})`;
  const extra = Object.keys(layer).find((key) => !KEYS[kind].includes(key));
  if (extra !== undefined) fail(`${at}: unknown key ${describeJson(extra)}, expected ${KEYS[kind].join(', ')}`);
  const name = (key: string): string =>
    typeof layer[key] === 'string' && layer[key] !== '' ? (layer[key] as string) : fail(`${at}: "${key}" must name an array of the weight file, got ${describeJson(layer[key])}`);
  const optionalName = (key: string): string | undefined => (layer[key] === undefined ? undefined : name(key));
  const integer = (key: string, min: number, fallback?: number): number => {
    const value = layer[key] ?? fallback;
    if (!Number.isSafeInteger(value) || (value as number) < min) fail(`${at}: "${key}" must be a whole number of at least ${min}, got ${describeJson(layer[key])}`);
    return value as number;
  };
  const finite = (key: string, fallback?: number): number => {
    const value = layer[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${at}: "${key}" must be a number, got ${describeJson(layer[key])}`);
    return value as number;
  };
  switch (kind) {
    case 'affine': {
      if (layer.transpose !== undefined && typeof layer.transpose !== 'boolean') fail(`${at}: "transpose" must be true or false, got ${describeJson(layer.transpose)}`);
      const b = optionalName('b');
      return { type: kind, W: name('W'), ...(b === undefined ? {} : { b }), ...(layer.transpose === true ? { transpose: true } : {}) };
    }
    case 'convolution': {
      const b = optionalName('b');
      return { type: kind, W: name('W'), ...(b === undefined ? {} : { b }), stride: integer('stride', 1, 1), pad: integer('pad', 0, 0) };
    }
    case 'pooling': {
      if (layer.mode !== undefined && layer.mode !== 'max' && layer.mode !== 'average') fail(`${at}: "mode" must be "max" or "average", got ${describeJson(layer.mode)}`);
      const size = layer.size;
      const window = isPositiveInteger(size)
        ? size
        : Array.isArray(size) && size.length === 2 && size.every(isPositiveInteger)
          ? ([size[0], size[1]] as const)
          : fail(`${at}: "size" must be a whole number or [height, width], got ${describeJson(size)}`);
      const height = typeof window === 'number' ? window : window[0];
      return { type: kind, mode: (layer.mode as 'max' | 'average' | undefined) ?? 'max', size: window, stride: integer('stride', 1, height) };
    }
    case 'dropout': {
      const ratio = layer.ratio;
      if (typeof ratio !== 'number' || !(ratio >= 0 && ratio < 1)) fail(`${at}: "ratio" must be a number in [0, 1), got ${describeJson(ratio)}`);
      return { type: kind, ratio: ratio as number };
    }
    case 'batch-norm': {
      const epsilon = finite('epsilon', 1e-5);
      if (epsilon < 0) fail(`${at}: "epsilon" must not be negative, got ${epsilon}`);
      const scale = optionalName('scale');
      const shift = optionalName('shift');
      return { type: kind, mean: name('mean'), variance: name('variance'), ...(scale === undefined ? {} : { scale }), ...(shift === undefined ? {} : { shift }), epsilon };
    }
    case 'normalize':
      return { type: kind, mean: name('mean'), variance: name('variance') };
    case 'rescale':
      return { type: kind, scale: finite('scale'), offset: finite('offset', 0) };
    default:
      return { type: kind } as LayerSpec;
  }
}

function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
