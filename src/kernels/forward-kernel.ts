/**
 * The seam between the forward-pass operators and the math: a kernel takes a batch of 0..255
 * pixels and writes, for each image, the predicted class and its probability. The kernels:
 *
 * - `wasm-relaxed-simd-f32` and `wasm-simd-f32`: the whole MLP in WebAssembly SIMD
 *   (assembly/kernels.ts), float32 products and float32 sums as numpy's sgemm, a first layer
 *   that skips zero pixels. For float32 networks of affine, sigmoid, relu and softmax layers.
 *   The relaxed build fuses each multiply-add (as sgemm does on a machine with FMA); it is the
 *   one `auto` and `wasm` take where this Node compiles relaxed SIMD, and the plain one elsewhere.
 * - `wasm-simd-f64`: a float64 convnet in WebAssembly SIMD (assembly/convnet.ts), float64 sums
 *   as numpy's dgemm, convolutions read in place with their ReLU and 2 × 2 max pooling fused.
 * - `js-f64`: `createPredict` in plain JavaScript, any network the project knows, sums in float64.
 */
import type { Network } from '../nn/network.js';
import { compileKernelModule, relaxedSimdSupported } from '../wasm/module.js';
import { createJsKernel } from './js-kernel.js';
import type { KernelChoice, KernelName, ForwardKernel, KernelOptions } from './kernel.js';
import { createWasmKernel, wasmKernelSupport } from './wasm-kernel.js';
import { primeKernelBuild } from '../wasm/prime.js';
import { convnetKernelSupport, createWasmConvnetKernel } from './wasm-convnet-kernel.js';

/**
 * The kernel that `choice` names for `network`: `auto` is the WASM kernel when it can run the
 * network (float32, an MLP, the kernel built) and the JavaScript one otherwise. Asking for `wasm`
 * where it cannot run is an error that says why, and so is the relaxed build where this Node has
 * no relaxed SIMD.
 */
export function resolveKernel(network: Network, choice: KernelChoice | KernelName = 'auto', normalize = true): KernelName {
  if (choice === 'js' || choice === 'js-f64') return 'js-f64';
  // A float64 convnet runs on the float64 convnet kernel (`auto`, `wasm`, or asked for by name).
  if (choice === 'wasm-simd-f64' || ((choice === 'auto' || choice === 'wasm') && network.precision === 'float64')) {
    const convnet = convnetKernelSupport(network);
    if (convnet.ok) return 'wasm-simd-f64';
    if (choice === 'wasm-simd-f64') throw new RangeError(`the wasm-simd-f64 kernel cannot run this network: ${convnet.reason}`);
  }
  const support = wasmKernelSupport(network, normalize);
  if (!support.ok) {
    if (choice !== 'auto') throw new RangeError(`the wasm kernel cannot run this network: ${support.reason}`);
    return 'js-f64';
  }
  if (choice === 'wasm-simd-f32') return choice;
  if (relaxedSimdSupported()) return 'wasm-relaxed-simd-f32';
  if (choice === 'wasm-relaxed-simd-f32') throw new RangeError(`the wasm-relaxed-simd-f32 kernel needs WebAssembly relaxed SIMD, which Node ${process.version} does not compile`);
  return 'wasm-simd-f32';
}

/**
 * Gets the MLP kernel ready while a run checks its inputs and loads the weights: compiles its
 * builds on V8's background threads (the relaxed one where this Node has relaxed SIMD; the plain
 * one, which the mosaic's PNG encoder also runs), then primes the build `auto` takes
 * (`primeKernelBuild`: about a millisecond here, then TurboFan works on a background thread). For
 * a run to call first and await before its forward pass.
 */
export function precompileKernels(): Promise<void> {
  const relaxed = relaxedSimdSupported();
  const builds = [compileKernelModule('simd'), ...(relaxed ? [compileKernelModule('relaxed-simd')] : [])];
  return Promise.all(builds).then(() => primeKernelBuild(relaxed ? 'relaxed-simd' : 'simd'));
}

export function createForwardKernel(network: Network, name: KernelName, options: KernelOptions): ForwardKernel {
  if (name === 'wasm-simd-f64') return createWasmConvnetKernel(network, options);
  if (name === 'wasm-relaxed-simd-f32') return createWasmKernel(network, options, 'relaxed-simd');
  return name === 'wasm-simd-f32' ? createWasmKernel(network, options, 'simd') : createJsKernel(network, options);
}

export type { ForwardKernel, KernelChoice, KernelName, KernelOptions, KernelOutput } from './kernel.js';
