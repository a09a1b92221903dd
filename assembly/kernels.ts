// WebAssembly SIMD kernels for the forward pass of an MLP, in float32 (AssemblyScript): the
// module's entry, re-exporting each part.
//
// Compiled at install time by scripts/build.mjs (`node scripts/build.mjs kernels`) twice: with
// 128-bit SIMD into dist/kernels.wasm, and with relaxed SIMD too (fused multiply-add) into
// dist/kernels-relaxed.wasm (assembly/simd.ts is where they differ).
// There is no allocator: the JavaScript side (src/kernels/wasm-kernel.ts) lays out the memory from
// `heapBase()` on (weights once, then the layer buffers) and passes byte addresses.
//
// Layout: a matrix of `cols` columns is stored with a row stride of `stride` floats, where
// `stride` is `cols` rounded up to a multiple of 4, so every row starts on a 16-byte boundary and
// holds whole f32x4 vectors. Padding lanes of weights and biases are zero.
//
// Precision: float32 everywhere, as numpy computes `np.dot(x, W1) + b1` on float32 arrays
// (OpenBLAS sgemm): products and sums are rounded to float32 (or fused, in the relaxed build, as
// sgemm does on a machine with FMA). The bias is added after the dot product, as numpy does.

export { affinePixels } from './sparse';
export { affine } from './dense';
export { sigmoidInPlace, reluInPlace, softmaxArgmax, argmaxRows } from './activations';
export { expInto } from './exp';
export { pngRowsRgbUp } from './png';
export { paintDigits, adler32 } from './mosaic';

/** Where the JavaScript side may start laying out its buffers. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
