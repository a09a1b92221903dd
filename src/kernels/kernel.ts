/** What every forward kernel is: the seam between the forward-pass operators and the math. */
import type { Worker } from 'node:worker_threads';

/** A kernel's name says which ran: the float32 MLP kernel's plain-SIMD or relaxed-SIMD build, JavaScript, or the convnet kernel. */
export type KernelName = 'wasm-simd-f32' | 'wasm-relaxed-simd-f32' | 'js-f64'
  /** The float64 convnet kernel (assembly/convnet.ts), for float64 convolutional networks. */
  | 'wasm-simd-f64';
/** What a user may ask for: a kernel by its short name, or `auto` (the fastest that fits). */
export type KernelChoice = 'auto' | 'wasm' | 'js';

/** The predictions of one batch: views into the kernel's buffers, overwritten by the next call. */
export interface KernelOutput {
  readonly predicted: Int32Array;
  readonly confidence: Float32Array;
}

export interface ForwardKernel {
  readonly name: KernelName;
  readonly maxBatchSize: number;
  /** Threads that run a batch now: 1, or more once the kernel's helper threads are ready. */
  readonly threads: number;
  /** Runs the network on the first `count` images of `pixels` (count × inputSize bytes). */
  forward(pixels: Uint8Array, count: number): KernelOutput;
  /** Ends the kernel's helper threads, if it has any. */
  close(): void;
}

export interface KernelOptions {
  /** Scale pixels from 0..255 to 0..1 (x / 255 in float32, as numpy) before the first layer. */
  readonly normalize: boolean;
  /** The largest batch that will come: buffers are sized for it, once. */
  readonly maxBatchSize: number;
  /**
   * Threads to split each batch over (default 1: this thread alone). The WASM kernel runs
   * `threads - 1` helper threads on its shared memory; the JavaScript kernel always uses one.
   */
  readonly threads?: number;
  /**
   * Gives the WASM kernel a helper thread (src/workers/kernel-helper.ts, started by the caller:
   * kernels do not start threads of their own). Needed when `threads` is above 1.
   */
  readonly helperThread?: () => Worker;
  /**
   * `false`: the WASM kernel is made cold, its first batch the first run of its code (for a test
   * or a measurement of that). Default: it primes its build (`primeKernelBuild`, once per
   * thread) and runs a pass over its zero pixels when it is made.
   */
  readonly prime?: boolean;
}
