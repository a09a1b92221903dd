/**
 * A large IDX dataset made from a small one: image `i` is base image `i mod baseCount`, one in
 * ten of them shifted by a pixel or two, all with small noise on the stroke, both drawn from a
 * random generator seeded by (seed, i) alone. The same seed gives the same bytes, however the work
 * is split, so benchmarks and tests can stream 1,000,000 images without storing them anywhere.
 *
 * Output: a gzip IDX images file and a gzip IDX labels file. The images file is a series of gzip
 * members of `blockSize` images each (a valid gzip file: zcat, Python's gzip and zlib read it as
 * one stream), compressed in parallel on libuv's thread pool while the next block is drawn.
 * Both files are staged in an OutputSet and appear together when complete, or not at all.
 *
 *   mnist-eval generate --count 1000000 --seed 1 --out-dir /tmp/mnist-1m     (src/cli/generate-options.ts)
 */
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { lastValueFrom, reduce } from 'rxjs';
import { InputError, UsageError } from '../src/errors.js';
import { requireDataFile, TEST_IMAGES, TEST_LABELS } from '../src/datasets/data-files.js';
import { readBatches$, readIdxHeaderOf } from '../src/sources/mnist.js';
import { OutputSet } from '../src/outputs/output-set.js';

const gzip = promisify(gzipCallback);

export interface GenerateOptions {
  /** Images to write. */
  readonly count: number;
  /** Seed of the augmentation; any 32-bit integer. Default 1. */
  readonly seed?: number;
  /** Fraction of the images that are shifted, 0..1. Default 0.1 (the book's MLP is very sensitive to shifts). */
  readonly shiftRate?: number;
  /** Largest shift, in pixels, along each axis. Default 2. */
  readonly maxShift?: number;
  /** Largest change of a stroke pixel (one that is not 0), ±. Default 8. */
  readonly noise?: number;
  /** Images per gzip member. Default 10,000. */
  readonly blockSize?: number;
  /** zlib level, 1..9. Default 6. */
  readonly level?: number;
  /** Called after each block is drawn, with the images done so far and the count. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops the generator between two blocks (it rejects with the signal's reason, leaving no file). */
  readonly signal?: AbortSignal;
}

/** What `mnist-eval generate` runs: the generator's options, where to write, and the base set. */
export interface GenerateRunOptions extends Omit<GenerateOptions, 'onProgress' | 'signal'> {
  readonly outDir: string;
  /** File name prefix; default `gen-<count>-seed<seed>`. */
  readonly name?: string;
  /** The base set's images and labels; default the MNIST test set. */
  readonly images?: string;
  readonly labels?: string;
}

/** A base set held in memory: `count` images of rows × cols. */
export interface BaseSet {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

export interface GeneratedFiles {
  readonly images: string;
  readonly labels: string;
  readonly count: number;
}

/** Reads an IDX pair into memory to serve as a base set. */
export async function readBaseSet(imagesPath: string, labelsPath: string): Promise<BaseSet> {
  const header = await readIdxHeaderOf(imagesPath, 'images');
  const [count, rows, cols] = header.dims;
  const pixels = new Uint8Array(count * rows * cols);
  const labels = new Uint8Array(count);
  await lastValueFrom(
    readBatches$(imagesPath, labelsPath, 1000, { classes: 256 }).pipe(
      reduce((n, batch) => {
        pixels.set(batch.pixels, batch.start * batch.size);
        labels.set(batch.labels, batch.start);
        return n + batch.count;
      }, 0),
    ),
    { defaultValue: 0 },
  );
  return { count, rows, cols, pixels, labels };
}

/**
 * A uint32 generator for image `i` under `seed`: splitmix32 over a state made from both, so that
 * every image has its own stream and no image depends on another.
 */
export function imageRandom(seed: number, i: number): () => number {
  let state = (Math.imul(seed | 0, 0x9e3779b9) ^ Math.imul(i | 0, 0x85ebca6b) ^ Math.imul(Math.floor(i / 2 ** 32), 0xc2b2ae35)) | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Writes image `i` of the generated set into `out` (rows × cols bytes) and returns its label. */
export function augmentInto(base: BaseSet, i: number, options: Pick<GenerateOptions, 'seed' | 'shiftRate' | 'maxShift' | 'noise'>, out: Uint8Array): number {
  const { rows, cols } = base;
  const seed = options.seed ?? 1;
  const shiftRate = options.shiftRate ?? 0.1;
  const maxShift = options.maxShift ?? 2;
  const noise = options.noise ?? 8;
  const j = i % base.count;
  const random = imageRandom(seed, i);
  const span = 2 * maxShift + 1;
  let dy = 0;
  let dx = 0;
  if (random() / 2 ** 32 < shiftRate && maxShift > 0) {
    // Any shift but none at all: one draw over the (2·maxShift+1)² - 1 others.
    const k = random() % (span * span - 1);
    const cell = k >= (span * span - 1) / 2 ? k + 1 : k;
    dy = Math.floor(cell / span) - maxShift;
    dx = (cell % span) - maxShift;
  }
  const source = base.pixels.subarray(j * rows * cols, (j + 1) * rows * cols);
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const sr = r - dy;
    if (sr < 0 || sr >= rows) continue;
    for (let c = 0; c < cols; c++) {
      const sc = c - dx;
      if (sc < 0 || sc >= cols) continue;
      const v = source[sr * cols + sc];
      if (v === 0) continue; // the background stays 0: noise only on the stroke
      const changed = v + (noise === 0 ? 0 : (random() % (2 * noise + 1)) - noise);
      out[r * cols + c] = changed < 0 ? 0 : changed > 255 ? 255 : changed;
    }
  }
  return base.labels[j];
}

/** The IDX header: magic 00 00 08 ndim, then big-endian uint32 dims. */
export function idxHeaderBytes(dims: readonly number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((n, k) => view.setUint32(4 + 4 * k, n, false));
  return header;
}

/** Draws images [start, end) with their labels: the block's IDX bytes, uncompressed. */
export function generateBlock(base: BaseSet, start: number, end: number, options: GenerateOptions): { pixels: Uint8Array; labels: Uint8Array } {
  const size = base.rows * base.cols;
  const pixels = new Uint8Array((end - start) * size);
  const labels = new Uint8Array(end - start);
  for (let i = start; i < end; i++) labels[i - start] = augmentInto(base, i, options, pixels.subarray((i - start) * size, (i - start + 1) * size));
  return { pixels, labels };
}

/** The two files of a generated set named `name` in `outDir`. */
export const generatedPaths = (outDir: string, name: string): { images: string; labels: string } => ({
  images: join(outDir, `${name}-images-idx3-ubyte.gz`),
  labels: join(outDir, `${name}-labels-idx1-ubyte.gz`),
});

/**
 * Writes `options.count` augmented images of `base` and their labels as gzip IDX files in
 * `outDir`, named `<name>-images-idx3-ubyte.gz` and `<name>-labels-idx1-ubyte.gz`.
 */
export async function generateDataset(base: BaseSet, outDir: string, name: string, options: GenerateOptions): Promise<GeneratedFiles> {
  const { count, signal } = options;
  const blockSize = options.blockSize ?? 10_000;
  const level = options.level ?? 6;
  if (!Number.isSafeInteger(count) || count < 0 || count > 0xffffffff) throw new UsageError(`count must be an integer in 0..4294967295, got ${count}`);
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new UsageError(`block size must be a positive integer, got ${blockSize}`);
  if (base.count === 0) throw new UsageError('the base set holds no images');
  const { images, labels } = generatedPaths(outDir, name);
  const outputs = new OutputSet();
  try {
    const imagesOut = outputs.openStream(images);
    const allLabels = new Uint8Array(count);
    // Two blocks compress while a third is drawn: bounded memory, both cores busy.
    const inFlight: Promise<Buffer>[] = [];
    const writeNext = async (): Promise<void> => imagesOut.write(await inFlight.shift()!);
    for (let start = 0; start < count || start === 0; start += blockSize) {
      if (signal?.aborted) throw signal.reason;
      const end = Math.min(count, start + blockSize);
      const block = generateBlock(base, start, end, options);
      allLabels.set(block.labels, start);
      const member = start === 0 ? concat(idxHeaderBytes([count, base.rows, base.cols]), block.pixels) : block.pixels;
      inFlight.push(gzip(member, { level }));
      if (inFlight.length >= 3) await writeNext();
      options.onProgress?.(end, count);
      if (count === 0) break;
    }
    while (inFlight.length > 0) await writeNext();
    await outputs.stage(labels, await gzip(concat(idxHeaderBytes([count]), allLabels), { level }));
    if (signal?.aborted) throw signal.reason;
    await outputs.commit();
    return { images, labels, count };
  } catch (error) {
    await outputs.abort();
    throw error;
  }
}

/**
 * `mnist-eval generate`: checks that both files can be written (before any work), reads the base
 * set (the MNIST test set by default) and generates.
 */
export async function runGenerate(options: GenerateRunOptions, hooks: Pick<GenerateOptions, 'onProgress' | 'signal'> = {}): Promise<GeneratedFiles> {
  const name = options.name ?? `gen-${options.count}-seed${options.seed ?? 1}`;
  const paths = generatedPaths(options.outDir, name);
  await new OutputSet().checkWritable([
    { path: paths.images, as: 'the generated images' },
    { path: paths.labels, as: 'the generated labels' },
  ]);
  const imagesPath = options.images ?? requireDataFile(TEST_IMAGES);
  const base = await readBaseSet(imagesPath, options.labels ?? requireDataFile(TEST_LABELS));
  if (base.count === 0) throw new InputError(imagesPath, 'holds no images, expected a base set of at least one image');
  return generateDataset(base, options.outDir, name, { ...options, ...hooks });
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
