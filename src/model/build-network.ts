import { InputError } from '../errors.js';
import type { PixelStep } from '../nn/input.js';
import type { Layer, Network, Precision } from '../nn/network.js';
import { formatShape } from '../weights/decode-array.js';
import type { WeightArrays } from '../weights/nd-array.js';
import { arrayNames, buildLayer, size } from './build-layers.js';
import type { LayerSpec, ModelSpec } from './model-spec.js';

export interface BuildOptions {
  /** The weight file, named in errors. */
  readonly file: string;
  /** Rows and columns of one image, from the IDX header. */
  readonly imageShape: readonly [number, number];
  /** Compute precision; by default float64 if every array the model uses is float64, else float32. */
  readonly precision?: Precision;
  /** torchvision's Normalize after the scaling to 0..1: `(x − mean) / std` (absent: none). */
  readonly standardize?: { readonly mean: number; readonly std: number };
}

/**
 * Builds the network a model describes over the arrays of a weight file. Everything is checked
 * here, once: the arrays exist, each layer fits the shape the layer before it gives (starting from
 * the image shape), and biases match their weights. Errors name the file, the model, the layer and
 * both shapes. Weights are converted to the compute precision and laid out for the kernels.
 *
 * A model whose first layer is a Rescaling takes raw pixels: that layer becomes the last step of the
 * pixels' preparation. A model that ends without a softmax (or in a log-softmax) ends in logits: a
 * softmax is added, so the class is their argmax and the confidence their softmax.
 */
export function buildNetwork(spec: ModelSpec, arrays: WeightArrays, options: BuildOptions): Network {
  const { file } = options;
  const fail = (problem: string): never => {
    throw new InputError(file, `model ${spec.name}, ${problem}`);
  };
  const inputShape = resolveInputShape(spec, options.imageShape, fail);
  const used = spec.layers.flatMap((layer, i) => arrayNames(layer).map((name) => [name, i] as const));
  for (const [name, i] of used) {
    if (!arrays.has(name)) {
      fail(`${where(spec.layers[i], i)}: no array ${name} in the weight file, which holds ${listNames(arrays)}`);
    }
  }
  const precision: Precision =
    options.precision ?? (used.length > 0 && used.every(([name]) => arrays.get(name)!.dtype === 'float64') ? 'float64' : 'float32');

  const first = spec.layers[0];
  const leadingRescale = first?.type === 'rescale' ? first : undefined;
  const layers: Layer[] = [];
  let shape: readonly number[] = inputShape;
  let from: string | undefined; // the layer before; none for the images themselves
  spec.layers.forEach((layerSpec, i) => {
    const at = where(layerSpec, i);
    if (layerSpec.type === 'log-softmax' && i !== spec.layers.length - 1) fail(`${at}: a log-softmax must be the last layer`);
    const gives = () =>
      `${from ?? `the ${options.imageShape.join('×')} images`} give${from === undefined ? '' : 's'} ${formatShape(shape)}${shape.length > 1 ? ` = ${size(shape)}` : ''}`;
    if (i > 0 || leadingRescale === undefined) {
      const built = buildLayer(layerSpec, { arrays, precision, shape, at, gives, fail });
      if (built.layer !== undefined) layers.push(built.layer);
      shape = built.shape;
    }
    from = `layer ${i + 1} (${layerSpec.type})`;
  });
  const last = spec.layers[spec.layers.length - 1];
  const probabilities = last?.type === 'softmax';
  if (!probabilities && last?.type !== 'log-softmax') {
    if (shape.length !== 1) fail(`the last layer gives ${formatShape(shape)}, expected one value per class: put a flatten layer last`);
    layers.push({ kind: 'softmax' });
  }
  const pixels: PixelStep[] = [
    ...(options.standardize === undefined ? [] : [{ op: 'standardize' as const, ...options.standardize }]),
    ...(leadingRescale === undefined ? [] : [{ op: 'rescale' as const, scale: leadingRescale.scale, offset: leadingRescale.offset }]),
  ];
  return {
    precision,
    inputSize: size(inputShape),
    inputShape,
    outputSize: size(shape),
    layers,
    output: probabilities ? 'probabilities' : 'logits',
    ...(pixels.length === 0 ? {} : { pixels }),
    ...(leadingRescale === undefined ? {} : { rawPixels: true }),
  };
}

function resolveInputShape(spec: ModelSpec, [rows, cols]: readonly [number, number], fail: (problem: string) => never): readonly number[] {
  const spatial = spec.layers.some((layer) => layer.type === 'convolution' || layer.type === 'pooling');
  const image = spec.input?.length === 1 || (spec.input === undefined && !spatial) ? [rows * cols] : [1, rows, cols];
  if (spec.input !== undefined && formatShape(spec.input) !== formatShape(image)) {
    fail(`expects input ${formatShape(spec.input)}, but ${rows}×${cols} images give ${formatShape(image)}`);
  }
  return image;
}

/** At most 10 names, so that a file of 100,000 arrays still makes a one-line message. */
function listNames(arrays: WeightArrays): string {
  const names = [...arrays.keys()];
  if (names.length === 0) return 'nothing';
  return names.slice(0, 10).join(', ') + (names.length > 10 ? ` … and ${names.length - 10} more` : '');
}

function where(layer: LayerSpec, index: number): string {
  const names = arrayNames(layer);
  return `layer ${index + 1} (${layer.type}${names.length > 0 ? ` ${names.join(', ')}` : ''})`;
}
