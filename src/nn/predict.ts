import { softmax, sigmoid, relu, tanh } from './activations.js';
import { createConvolution, poolsAsStored } from './convolution.js';
import { createAffine } from './affine.js';
import type { FloatArray, Matrix } from './matrix.js';
import { layerOutputSize, type Network } from './network.js';
import { maxPoolInto } from './pooling.js';
import { standardizeInPlace } from './standardize.js';

export type Predict = (x: Matrix) => Matrix;

/** One layer over `a` (or a few, see createSteps), into a buffer of its own or in place. */
type Step = (a: Matrix) => Matrix;

function alloc(precision: Network['precision'], length: number): FloatArray {
  return precision === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/**
 * A forward pass for batches of up to `maxRows` rows. Its buffers are allocated, and the weights
 * packed, once: the matrix it returns is overwritten by the next call.
 *
 * The layers before the first affine one (a convnet's convolutions and poolings) run one image at
 * a time, so that what each gives the next stays in the cache (the ch. 7 convolution gives 138 KB
 * an image, 13.8 MB a batch of 100); the affine layers then run on the whole batch, 4 rows at a
 * time. A ReLU right after an affine or convolution layer is applied as its sums are stored, and
 * so is the book's 2 × 2 max pooling after a convolution (and its ReLU).
 */
export function createPredict(network: Network, maxRows: number): Predict {
  const { layers } = network;
  const firstAffine = layers.findIndex((layer) => layer.kind === 'affine');
  const split = firstAffine < 0 ? layers.length : firstAffine;
  const perImage = createSteps(network, 0, split, 1);
  const perBatch = createSteps(network, split, layers.length, maxRows);
  const width = widthBefore(network, split);
  const gathered = perImage.length > 0 ? alloc(network.precision, maxRows * width) : undefined;
  return (x) => {
    if (x.rows > maxRows) throw new RangeError(`batch of ${x.rows} rows exceeds ${maxRows}`);
    let a: Matrix = x;
    if (gathered !== undefined) {
      for (let n = 0; n < x.rows; n++) {
        let image: Matrix = { rows: 1, cols: x.cols, data: x.data.subarray(n * x.cols, (n + 1) * x.cols) };
        for (const step of perImage) image = step(image);
        gathered.set(image.data, n * width);
      }
      a = { rows: x.rows, cols: width, data: gathered.subarray(0, x.rows * width) };
    }
    for (const step of perBatch) a = step(a);
    return a;
  };
}

/**
 * The steps of layers [from, to), for up to `maxRows` rows. An affine layer takes the ReLU after
 * it along, and a convolution its ReLU and a 2 × 2 max pooling after that (`poolsAsStored`).
 */
function createSteps(network: Network, from: number, to: number, maxRows: number): Step[] {
  const { layers } = network;
  const steps: Step[] = [];
  /** A step that writes layers [i, last] into a buffer of its own. */
  const into = (last: number, run: (a: Matrix, y: FloatArray) => void): Step => {
    const width = widthBefore(network, last + 1);
    const buffer = alloc(network.precision, maxRows * width);
    return (a) => {
      const y = buffer.subarray(0, a.rows * width);
      run(a, y);
      return { rows: a.rows, cols: width, data: y };
    };
  };
  for (let i = from; i < to; i++) {
    const layer = layers[i];
    const fuseRelu = i + 1 < to && layers[i + 1].kind === 'relu';
    switch (layer.kind) {
      case 'affine': {
        const affine = createAffine(layer.W, layer.b);
        if (fuseRelu) i++;
        steps.push(into(i, (a, y) => affine(a, y, fuseRelu)));
        break;
      }
      case 'convolution': {
        if (fuseRelu) i++;
        const after = i + 1 < to ? layers[i + 1] : undefined;
        const pool = after?.kind === 'pooling' && poolsAsStored(layer, after) ? after : undefined;
        if (pool !== undefined) i++;
        const convolution = createConvolution(layer, pool);
        steps.push(into(i, (a, y) => convolution(a.data, a.rows, y, fuseRelu)));
        break;
      }
      case 'pooling':
        steps.push(into(i, (a, y) => maxPoolInto(a.data, a.rows, layer, y)));
        break;
      case 'sigmoid':
        steps.push((a) => ({ ...a, data: sigmoid(a.data, a.data) }));
        break;
      case 'relu':
        steps.push((a) => ({ ...a, data: relu(a.data, a.data) }));
        break;
      case 'tanh':
        steps.push((a) => ({ ...a, data: tanh(a.data, a.data) }));
        break;
      case 'standardize':
        steps.push((a) => {
          standardizeInPlace(a.data, a.rows, layer);
          return a;
        });
        break;
      case 'softmax':
        steps.push((a) => ({ ...a, data: softmax(a.data, a.cols, a.data) }));
        break;
      case 'dropout':
        steps.push((a) => {
          for (let j = 0; j < a.data.length; j++) a.data[j] *= layer.scale;
          return a;
        });
        break;
      case 'flatten':
        break;
    }
  }
  return steps;
}

/** The forward pass of the book: `predict(network, x)`, allocating fresh buffers. */
export function predict(network: Network, x: Matrix): Matrix {
  const y = createPredict(network, x.rows)(x);
  return y;
}

/** The values per image given to layer `index` (the network's output for index = layers.length). */
function widthBefore(network: Network, index: number): number {
  let width = network.inputSize;
  for (let i = 0; i < index; i++) width = layerOutputSize(network.layers[i], width);
  return width;
}
