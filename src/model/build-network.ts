import { InputError } from '../errors.js';
import { convolutionOutputLength, filtersToColumns, type ConvolutionLayer } from '../nn/convolution.js';
import type { FloatArray } from '../nn/matrix.js';
import type { Layer, Network, Precision } from '../nn/network.js';
import { poolingOutputLength, type PoolingLayer } from '../nn/pooling.js';
import { formatShape } from '../weights/decode-array.js';
import type { NdArray, WeightArrays } from '../weights/nd-array.js';
import type { LayerSpec, ModelSpec } from './model-spec.js';

export interface BuildOptions {
  /** The weight file, named in errors. */
  readonly file: string;
  /** Rows and columns of one image, from the IDX header. */
  readonly imageShape: readonly [number, number];
  /** Compute precision; by default float64 if every array the model uses is float64, else float32. */
  readonly precision?: Precision;
}

/**
 * Builds the network a model describes over the arrays of a weight file. Everything is checked
 * here, once: the arrays exist, each layer fits the shape the layer before it gives (starting from
 * the image shape), and biases match their weights. Errors name the file, the model, the layer and
 * both shapes. Weights are converted to the compute precision and laid out for the kernels.
 */
export function buildNetwork(spec: ModelSpec, arrays: WeightArrays, options: BuildOptions): Network {
  const { file } = options;
  const fail = (problem: string): never => {
    throw new InputError(file, `model ${spec.name}, ${problem}`);
  };
  const inputShape = resolveInputShape(spec, options.imageShape, fail);
  const used = spec.layers.flatMap((layer, i) => ('W' in layer ? [[layer.W, i], [layer.b, i]] as const : []));
  for (const [name, i] of used) {
    if (!arrays.has(name)) {
      fail(`${where(spec.layers[i], i)}: no array ${name} in the weight file, which holds ${[...arrays.keys()].join(', ') || 'nothing'}`);
    }
  }
  const precision: Precision =
    options.precision ?? (used.length > 0 && used.every(([name]) => arrays.get(name)!.dtype === 'float64') ? 'float64' : 'float32');

  const layers: Layer[] = [];
  let shape: readonly number[] = inputShape;
  let from: string | undefined; // the layer before; none for the images themselves
  spec.layers.forEach((layerSpec, i) => {
    const at = where(layerSpec, i);
    const gives = () =>
      from === undefined
        ? `the ${options.imageShape.join('×')} images give ${formatShape(shape)}${shape.length > 1 ? ` = ${size(shape)}` : ''}`
        : `${from} gives ${formatShape(shape)}${shape.length > 1 ? ` = ${size(shape)}` : ''}`;
    switch (layerSpec.type) {
      case 'affine': {
        const W = arrays.get(layerSpec.W)!;
        const b = arrays.get(layerSpec.b)!;
        if (W.shape.length !== 2) fail(`${at}: ${layerSpec.W} must be a 2-D matrix (in × out), got ${formatShape(W.shape)}`);
        const [rows, cols] = W.shape;
        if (rows !== size(shape)) fail(`${at}: ${layerSpec.W} ${formatShape(W.shape)} takes ${rows} inputs, but ${gives()}`);
        checkBias(b, layerSpec.b, W, layerSpec.W, cols, at, fail);
        layers.push({ kind: 'affine', W: { rows, cols, data: convert(W, precision) }, b: convert(b, precision), names: { W: layerSpec.W, b: layerSpec.b } });
        shape = [cols];
        break;
      }
      case 'convolution': {
        const W = arrays.get(layerSpec.W)!;
        const b = arrays.get(layerSpec.b)!;
        const stride = layerSpec.stride ?? 1;
        const pad = layerSpec.pad ?? 0;
        if (W.shape.length !== 4) fail(`${at}: ${layerSpec.W} must hold filters FN × C × FH × FW, got ${formatShape(W.shape)}`);
        const [FN, C, FH, FW] = W.shape;
        if (shape.length !== 3) fail(`${at}: needs a C × H × W input, but ${gives()}`);
        const [inC, H, Wd] = shape;
        if (C !== inC) fail(`${at}: ${layerSpec.W} ${formatShape(W.shape)} takes ${C} channels, but ${gives()}`);
        const OH = convolutionOutputLength(H, FH, stride, pad);
        const OW = convolutionOutputLength(Wd, FW, stride, pad);
        if (OH < 1 || OW < 1) fail(`${at}: ${layerSpec.W} ${formatShape(W.shape)} with pad ${pad} does not fit in ${H}×${Wd}, as ${gives()}`);
        checkBias(b, layerSpec.b, W, layerSpec.W, FN, at, fail);
        const filterShape = [FN, C, FH, FW] as const;
        const layer: ConvolutionLayer = {
          kind: 'convolution',
          W: filtersToColumns(convert(W, precision), filterShape),
          b: convert(b, precision),
          filterShape,
          stride,
          pad,
          inputShape: [C, H, Wd],
          outputShape: [FN, OH, OW],
          names: { W: layerSpec.W, b: layerSpec.b },
        };
        layers.push(layer);
        shape = layer.outputShape;
        break;
      }
      case 'pooling': {
        const [PH, PW] = typeof layerSpec.size === 'number' ? [layerSpec.size, layerSpec.size] : layerSpec.size;
        const stride = layerSpec.stride ?? PH;
        if (shape.length !== 3) fail(`${at}: needs a C × H × W input, but ${gives()}`);
        const [C, H, Wd] = shape;
        const OH = poolingOutputLength(H, PH, stride);
        const OW = poolingOutputLength(Wd, PW, stride);
        if (OH < 1 || OW < 1) fail(`${at}: a ${PH}×${PW} window does not fit in ${H}×${Wd}, as ${gives()}`);
        const layer: PoolingLayer = { kind: 'pooling', mode: 'max', size: [PH, PW], stride, inputShape: [C, H, Wd], outputShape: [C, OH, OW] };
        layers.push(layer);
        shape = layer.outputShape;
        break;
      }
      case 'dropout': {
        const keep = 1 - layerSpec.ratio;
        layers.push({ kind: 'dropout', ratio: layerSpec.ratio, scale: precision === 'float32' ? Math.fround(keep) : keep });
        break;
      }
      case 'flatten':
        layers.push({ kind: 'flatten' });
        shape = [size(shape)];
        break;
      case 'softmax':
        if (shape.length !== 1) fail(`${at}: needs a flat input (softmax over the classes), but ${gives()}; put a flatten layer before it`);
        layers.push({ kind: layerSpec.type });
        break;
      default:
        layers.push({ kind: layerSpec.type });
    }
    from = `layer ${i + 1} (${layerSpec.type})`;
  });
  return { precision, inputSize: size(inputShape), inputShape, outputSize: size(shape), layers };
}

function resolveInputShape(spec: ModelSpec, [rows, cols]: readonly [number, number], fail: (problem: string) => never): readonly number[] {
  const spatial = spec.layers.some((layer) => layer.type === 'convolution' || layer.type === 'pooling');
  const image = spec.input?.length === 1 || (spec.input === undefined && !spatial) ? [rows * cols] : [1, rows, cols];
  if (spec.input !== undefined && formatShape(spec.input) !== formatShape(image)) {
    fail(`expects input ${formatShape(spec.input)}, but ${rows}×${cols} images give ${formatShape(image)}`);
  }
  return image;
}

const size = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

function where(layer: LayerSpec, index: number): string {
  return `layer ${index + 1} (${layer.type}${'W' in layer ? ` ${layer.W}, ${layer.b}` : ''})`;
}

function checkBias(b: NdArray, bName: string, W: NdArray, WName: string, outputs: number, at: string, fail: (problem: string) => never): void {
  if (b.shape.length !== 1 || b.shape[0] !== outputs) {
    fail(`${at}: ${bName} ${formatShape(b.shape)} does not match ${WName} ${formatShape(W.shape)}: expected (${outputs},)`);
  }
}

function convert(array: NdArray, precision: Precision): FloatArray {
  const wanted = precision === 'float64' ? Float64Array : Float32Array;
  return array.data instanceof wanted ? array.data : wanted.from(array.data);
}
