/**
 * The seam between the forward-pass operators and the math: a kernel takes a batch of 0..255
 * pixels and writes, for each image, the predicted class and its probability. Two kernels:
 *
 * - `wasm-simd-f32`: the whole MLP in WebAssembly SIMD (assembly/kernels.ts), float32 products
 *   and float32 sums as numpy's sgemm, a first layer that skips zero pixels. For float32 networks
 *   of affine, sigmoid, relu and softmax layers.
 * - `js-f64`: `createPredict` in plain JavaScript, any network the project knows, sums in float64.
 */
import type { Network } from '../nn/network.js';
import { createJsKernel } from './js-kernel.js';
import { createWasmKernel, wasmKernelSupport } from './wasm-kernel.js';

export type KernelName = 'wasm-simd-f32' | 'js-f64';
/** What a user may ask for: a kernel by its short name, or `auto` (the fastest that fits). */
export type KernelChoice = 'auto' | 'wasm' | 'js';

export const KERNEL_CHOICES: readonly KernelChoice[] = ['auto', 'wasm', 'js'];

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
   * Threads to split each batch over (default 1: this thread alone). The WASM kernel starts
   * `threads - 1` helper threads on its shared memory; the JavaScript kernel always uses one.
   */
  readonly threads?: number;
}

/**
 * The kernel that `choice` names for `network`: `auto` is the WASM kernel when it can run the
 * network (float32, an MLP, the kernel built) and the JavaScript one otherwise. Asking for `wasm`
 * where it cannot run is an error that says why.
 */
export function resolveKernel(network: Network, choice: KernelChoice | KernelName = 'auto'): KernelName {
  if (choice === 'js' || choice === 'js-f64') return 'js-f64';
  const support = wasmKernelSupport(network);
  if (support.ok) return 'wasm-simd-f32';
  if (choice !== 'auto') throw new Error(`the wasm kernel cannot run this network: ${support.reason}`);
  return 'js-f64';
}

export function createForwardKernel(network: Network, name: KernelName, options: KernelOptions): ForwardKernel {
  return name === 'wasm-simd-f32' ? createWasmKernel(network, options) : createJsKernel(network, options);
}
