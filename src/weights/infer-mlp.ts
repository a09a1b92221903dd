import { InputError } from '../errors.js';
import type { FloatArray } from '../nn/matrix.js';
import type { AffineLayer, Layer, Network, Precision } from '../nn/network.js';
import type { NdArray, WeightArrays } from './nd-array.js';

export interface MlpOptions {
  /** The number of input values per image (rows × cols of the IDX images). */
  readonly inputSize: number;
  /** Activation of the hidden layers; the output layer is always softmax. */
  readonly activation?: 'sigmoid' | 'relu';
  /** Compute precision; by default that of the weights (float64 only if every array is float64). */
  readonly precision?: Precision;
}

function convert(array: NdArray, precision: Precision): FloatArray {
  const wanted = precision === 'float64' ? Float64Array : Float32Array;
  return array.data instanceof wanted ? array.data : wanted.from(array.data);
}

const shapeText = (shape: readonly number[]): string => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;

/**
 * Builds the network of the book's chapter 3 from `W1, b1 … Wn, bn`: affine layers in order,
 * the hidden ones followed by an activation, the last by softmax. Every shape is checked here,
 * once, against its neighbours and against the input size.
 */
export function inferMlp(arrays: WeightArrays, file: string, options: MlpOptions): Network {
  const depth = countAffineLayers(arrays, file);
  const precision: Precision =
    options.precision ?? ([...arrays.values()].every((a) => a.dtype === 'float64') ? 'float64' : 'float32');
  const layers: Layer[] = [];
  let width = options.inputSize;
  for (let n = 1; n <= depth; n++) {
    const W = arrays.get(`W${n}`)!;
    const b = arrays.get(`b${n}`)!;
    if (W.shape.length !== 2) {
      throw new InputError(file, `W${n} must be a 2-D matrix, got shape ${shapeText(W.shape)}`);
    }
    const [rows, cols] = W.shape;
    if (rows !== width) {
      const from = n === 1 ? `the image size ${width}` : `W${n - 1} output ${width}`;
      throw new InputError(file, `W${n} ${shapeText(W.shape)} does not follow ${from}: expected ${width} rows, got ${rows}`);
    }
    if (b.shape.length !== 1 || b.shape[0] !== cols) {
      throw new InputError(file, `b${n} ${shapeText(b.shape)} does not match W${n} ${shapeText(W.shape)}: expected (${cols},)`);
    }
    const affine: AffineLayer = {
      kind: 'affine',
      W: { rows, cols, data: convert(W, precision) },
      b: convert(b, precision),
      names: { W: `W${n}`, b: `b${n}` },
    };
    layers.push(affine, { kind: n === depth ? 'softmax' : options.activation ?? 'sigmoid' });
    width = cols;
  }
  return { precision, inputSize: options.inputSize, outputSize: width, layers };
}

function countAffineLayers(arrays: WeightArrays, file: string): number {
  let depth = 0;
  while (arrays.has(`W${depth + 1}`) || arrays.has(`b${depth + 1}`)) {
    depth++;
    if (!arrays.has(`W${depth}`)) throw new InputError(file, `b${depth} has no matching W${depth}`);
    if (!arrays.has(`b${depth}`)) throw new InputError(file, `W${depth} has no matching b${depth}`);
  }
  if (depth === 0) {
    const names = [...arrays.keys()].join(', ') || 'nothing';
    throw new InputError(file, `no layers found: expected arrays W1, b1, W2, b2 …, got ${names}`);
  }
  const gap = [...arrays.keys()].find((name) => {
    const m = /^[Wb](\d+)$/.exec(name);
    return m !== null && Number(m[1]) > depth;
  });
  if (gap !== undefined) {
    throw new InputError(file, `layer numbering has a gap: ${gap} found but W${depth + 1} and b${depth + 1} are missing`);
  }
  return depth;
}
