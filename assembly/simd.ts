// The two builds' one difference (scripts/build.mjs): dist/kernels.wasm is plain 128-bit SIMD,
// dist/kernels-relaxed.wasm is compiled with `--enable relaxed-simd`, where a·b + c is
// `f32x4.relaxed_madd`, one fused multiply-add on a machine that has one (V8 emits vfmadd231ps on
// x64 with FMA), and a multiply then an add on one that has not. numpy's OpenBLAS sgemm fuses
// them too on such machines; both builds give numpy's predictions (test/kernels/).

/** a · b + c on four floats. */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
