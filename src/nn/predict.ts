import { softmax, sigmoid, relu } from './activations.js';
import { convolutionInto } from './convolution.js';
import { affineInto, type FloatArray, type Matrix } from './matrix.js';
import { layerOutputSize, type Layer, type Network } from './network.js';
import { maxPoolInto } from './pooling.js';

export type Predict = (x: Matrix) => Matrix;

function alloc(precision: Network['precision'], length: number): FloatArray {
  return precision === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/**
 * A forward pass for batches of up to `maxRows` rows. Its buffers are allocated once and reused:
 * the matrix it returns is overwritten by the next call.
 */
export function createPredict(network: Network, maxRows: number): Predict {
  const widths = network.layers.map((_, i) => widthAfter(network, i));
  const buffers = network.layers.map((layer, i) => (hasOwnOutput(layer) ? alloc(network.precision, maxRows * widths[i]) : null));
  return (x) => {
    if (x.rows > maxRows) throw new RangeError(`batch of ${x.rows} rows exceeds ${maxRows}`);
    let a: Matrix = x;
    network.layers.forEach((layer, i) => {
      const n = x.rows * widths[i];
      switch (layer.kind) {
        case 'affine': {
          const y = buffers[i]!.subarray(0, n);
          affineInto(a, layer.W, layer.b, y);
          a = { rows: x.rows, cols: widths[i], data: y };
          break;
        }
        case 'sigmoid':
          sigmoid(a.data, a.data);
          break;
        case 'relu':
          relu(a.data, a.data);
          break;
        case 'softmax':
          softmax(a.data, a.cols, a.data);
          break;
        case 'convolution': {
          const y = buffers[i]!.subarray(0, n);
          convolutionInto(a.data, x.rows, layer, y);
          a = { rows: x.rows, cols: widths[i], data: y };
          break;
        }
        case 'pooling': {
          const y = buffers[i]!.subarray(0, n);
          maxPoolInto(a.data, x.rows, layer, y);
          a = { rows: x.rows, cols: widths[i], data: y };
          break;
        }
        case 'dropout':
          for (let j = 0; j < a.data.length; j++) a.data[j] *= layer.scale;
          break;
        case 'flatten':
          break;
      }
    });
    return a;
  };
}

/** The forward pass of the book: `predict(network, x)`, allocating fresh buffers. */
export function predict(network: Network, x: Matrix): Matrix {
  const y = createPredict(network, x.rows)(x);
  return y;
}

function widthAfter(network: Network, index: number): number {
  let width = network.inputSize;
  for (let i = 0; i <= index; i++) width = layerOutputSize(network.layers[i], width);
  return width;
}

/** Layers that write a new array rather than changing their input in place. */
function hasOwnOutput(layer: Layer): boolean {
  return layer.kind === 'affine' || layer.kind === 'convolution' || layer.kind === 'pooling';
}
