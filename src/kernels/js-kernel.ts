/** The plain JavaScript kernel: `createPredict` (sums in float64), then argmax and its probability. */
import type { Network } from '../nn/network.js';
import { createPredict } from '../nn/predict.js';
import { pixelSteps, pixelTable, toInput } from '../nn/input.js';
import type { ForwardKernel, KernelOptions, KernelOutput } from './kernel.js';

export function createJsKernel(network: Network, options: KernelOptions): ForwardKernel {
  const { maxBatchSize, normalize } = options;
  const predict = createPredict(network, maxBatchSize);
  const table = pixelTable(pixelSteps(network, normalize));
  const input = network.precision === 'float64' ? new Float64Array(maxBatchSize * network.inputSize) : new Float32Array(maxBatchSize * network.inputSize);
  const predicted = new Int32Array(maxBatchSize);
  const confidence = new Float32Array(maxBatchSize);
  const full: KernelOutput = { predicted, confidence };
  return {
    name: 'js-f64',
    maxBatchSize,
    threads: 1,
    close() {},
    forward(pixels, count) {
      const x = count === maxBatchSize ? input : input.subarray(0, count * network.inputSize);
      toInput(pixels.length === x.length ? pixels : pixels.subarray(0, x.length), table, x);
      const y = predict({ rows: count, cols: network.inputSize, data: x });
      for (let i = 0; i < count; i++) {
        const row = i * y.cols;
        let best = 0;
        for (let j = 1; j < y.cols; j++) if (y.data[row + j] > y.data[row + best]) best = j;
        predicted[i] = best;
        confidence[i] = y.data[row + best];
      }
      return count === maxBatchSize ? full : { predicted: predicted.subarray(0, count), confidence: confidence.subarray(0, count) };
    },
  };
}
