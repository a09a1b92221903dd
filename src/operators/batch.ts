import { bufferCount, map, pipe, type OperatorFunction } from 'rxjs';
import type { Batch, Sample } from '../types.js';

export function packBatch(samples: readonly Sample[]): Batch {
  const size = samples[0].pixels.length;
  const pixels = new Uint8Array(samples.length * size);
  const labels = new Uint8Array(samples.length);
  samples.forEach((sample, i) => {
    pixels.set(sample.pixels, i * size);
    labels[i] = sample.label;
  });
  return { start: samples[0].index, count: samples.length, size, pixels, labels };
}

/** Groups samples into batches of `batchSize` (the last one may be smaller). */
export function batch(batchSize: number): OperatorFunction<Sample, Batch> {
  return pipe(bufferCount(batchSize), map(packBatch));
}
