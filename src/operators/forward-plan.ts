/**
 * How the forward pass runs, decided once per run: the batch size (the source packs batches of
 * it and the kernels size their buffers for it), the kernel, the worker threads and the threads
 * that split each batch on the main thread. `planForward` is the one place that turns a request
 * (the CLI's options, a library caller's) into a plan; the operators take the plan as it is.
 * Values no run can use are refused here, with a RangeError or TypeError that names the option.
 */
import { availableParallelism } from 'node:os';
import { resolveKernel } from '../kernels/forward-kernel.js';
import type { KernelChoice, KernelName } from '../kernels/kernel.js';
import type { Network } from '../nn/network.js';

export interface ForwardRequest {
  /** Images per forward pass (default 100). */
  readonly batchSize?: number;
  /** Scale pixels from 0..255 to 0..1 (default true). Without it the book's network scores 0.9207. */
  readonly normalize?: boolean;
  /** `auto` (default: WASM SIMD where the network allows, else JavaScript), `wasm`, `js`, or a kernel's name. */
  readonly kernel?: KernelChoice | KernelName;
  /** Worker threads (0: the main thread alone); default: by the number of images. */
  readonly workers?: number;
  /** Threads that split each batch of the main thread's WASM kernel (default 1). */
  readonly threads?: number;
}

export interface ForwardPlan {
  readonly batchSize: number;
  readonly normalize: boolean;
  readonly kernel: KernelName;
  /** Worker threads; 0 runs the forward pass on the main thread. */
  readonly workers: number;
  /** Threads of the main thread's kernel (1 unless asked for, and only with no workers). */
  readonly threads: number;
  /** The main thread runs a batch too whenever every worker has one (the default with workers). */
  readonly shareWithMain: boolean;
}

export const DEFAULT_BATCH_SIZE = 100;
/** Larger batches only grow the buffers: the kernels' memory is sized for one batch. */
export const MAX_BATCH_SIZE = 65_536;
export const MAX_WORKERS = 64;
export const MAX_THREADS = 64;
/** Below this many images the run stays on the main thread alone (see bench/README.md). */
export const WORKERS_FROM_IMAGES = 20_000;
/**
 * A convnet's image is 50 to 500 times an MLP's work (the ch. 7 and ch. 8 networks), so a worker
 * beside the main thread repays its start and warm-up on fewer images (see bench/convnet.ts).
 */
export const CONVNET_WORKERS_FROM_IMAGES = 10_000;

/**
 * The cores an MLP's run keeps busy without a worker: the main thread (forward pass, decoding,
 * scoring) and zlib inflating the images on libuv's thread, which reads ahead of it. A worker
 * beside them only shares their cores (bench/README.md, the large runs); a convnet's main thread
 * is all forward pass, so its worker takes the second core.
 */
export const MLP_BUSY_CORES = 2;

/**
 * The default worker count for `images` images: one worker beside the main thread, which runs a
 * batch itself whenever the worker has one, where the machine has a core the run does not already
 * keep busy (`MLP_BUSY_CORES`, or 1 for a convnet) and the input is large enough to repay a
 * thread's start; else 0. Unknown `images` counts as large.
 */
export function defaultWorkers(images = Infinity, convnet = false, cores = availableParallelism()): number {
  const from = convnet ? CONVNET_WORKERS_FROM_IMAGES : WORKERS_FROM_IMAGES;
  return images >= from && cores > (convnet ? 1 : MLP_BUSY_CORES) ? 1 : 0;
}

function wholeNumber(name: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  return value;
}

/**
 * How many threads of each kind a run of `request` over `images` images will use; a `network`
 * known to be a convnet takes its worker from CONVNET_WORKERS_FROM_IMAGES images on.
 */
export function threadsWanted(request: ForwardRequest, images?: number, network?: Network): { readonly workers: number; readonly threads: number } {
  const threads = wholeNumber('threads', request.threads, 1, MAX_THREADS) ?? 1;
  // Threads asked for split the main thread's batches, so they choose the main thread.
  const workers = wholeNumber('workers', request.workers, 0, MAX_WORKERS) ?? (images === undefined || threads > 1 ? 0 : defaultWorkers(images, network !== undefined && isConvnet(network)));
  if (threads > 1 && workers > 0) {
    throw new RangeError(`threads (${threads}) split the main thread's batches, but the forward pass runs on ${workers} worker${workers === 1 ? '' : 's'}: give threads or workers, not both`);
  }
  return { workers, threads };
}

/**
 * `request` with no more workers, and no more threads, than the machine has cores
 * (`availableParallelism()`): more only share the cores, each with a copy of the network and
 * its buffers. Each cap comes with a warning line for the caller to show.
 */
export function capThreads<T extends ForwardRequest>(request: T, cores = availableParallelism()): { readonly request: T; readonly warnings: readonly string[] } {
  const warnings: string[] = [];
  const capped: { workers?: number; threads?: number } = {};
  for (const name of ['workers', 'threads'] as const) {
    const asked = request[name];
    if (asked !== undefined && asked > cores) {
      warnings.push(`--${name} ${asked} is more than the ${cores} core${cores === 1 ? '' : 's'} here (os.availableParallelism()): using ${cores}`);
      capped[name] = cores;
    }
  }
  return { request: { ...request, ...capped }, warnings };
}

/**
 * The plan for running `network` over `images` images (undefined: not known, as for a stream
 * the library is given). A `kernel: 'wasm'` the network cannot run, and threads that could not
 * be used, are errors rather than silent fallbacks.
 */
export function planForward(network: Network, request: ForwardRequest = {}, images?: number): ForwardPlan {
  const batchSize = wholeNumber('batch size', request.batchSize, 1, MAX_BATCH_SIZE) ?? DEFAULT_BATCH_SIZE;
  if (request.kernel !== undefined && !KERNEL_REQUESTS.includes(request.kernel)) {
    throw new TypeError(`kernel must be auto, wasm or js, got '${String(request.kernel)}'`);
  }
  const kernel = resolveKernel(network, request.kernel, request.normalize ?? true);
  const { workers, threads } = threadsWanted(request, images, network);
  // The float32 MLP kernels split a batch over threads; the float64 convnet kernel runs on one.
  if (threads > 1 && kernel !== 'wasm-simd-f32' && kernel !== 'wasm-relaxed-simd-f32') {
    throw new RangeError(`threads (${threads}) split the wasm kernel's batches, but this network runs on the ${kernel} kernel, which uses one thread`);
  }
  return { batchSize, normalize: request.normalize ?? true, kernel, workers, threads, shareWithMain: request.workers === undefined && workers > 0 };
}

const isConvnet = (network: Network): boolean => network.layers.some((layer) => layer.kind === 'convolution');

const KERNEL_REQUESTS: readonly string[] = ['auto', 'wasm', 'js', 'wasm-simd-f32', 'wasm-relaxed-simd-f32', 'js-f64', 'wasm-simd-f64'];
