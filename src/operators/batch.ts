import { bufferCount, map, pipe, type OperatorFunction } from 'rxjs';

/** One image of the dataset: its position, its grayscale pixels (0..255) and its label. */
export interface Sample {
  readonly index: number;
  readonly pixels: Uint8Array;
  readonly label: number;
}

/** Consecutive samples packed into contiguous arrays: image `i` is `pixels[i*size … (i+1)*size)`. */
export interface Batch {
  /** Dataset index of the first image. */
  readonly start: number;
  readonly count: number;
  /** Pixels per image. */
  readonly size: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

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
