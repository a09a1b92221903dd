/**
 * The 16-bit float formats frameworks store weights in, widened to float32 (every value of both is
 * exactly a float32): IEEE float16 (torch.HalfStorage, ONNX FLOAT16, safetensors F16) and bfloat16
 * (torch.BFloat16Storage, ONNX BFLOAT16, safetensors BF16), the top half of a float32.
 */

const scratch = new DataView(new ArrayBuffer(4));

/** The float32 value of the float16 whose bits are `bits` (0..0xffff). */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The float32 value of the bfloat16 whose bits are `bits` (0..0xffff). */
export function bfloat16Value(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16);
  return scratch.getFloat32(0);
}

/**
 * `count` 16-bit floats from `bytes` (in the byte order `littleEndian` says), widened to float32.
 * `bytes` must hold at least 2 × count bytes.
 */
export function widenHalfFloats(bytes: Uint8Array, count: number, kind: 'float16' | 'bfloat16', littleEndian: boolean): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const value = kind === 'float16' ? float16Value : bfloat16Value;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = value(view.getUint16(i * 2, littleEndian));
  return out;
}
