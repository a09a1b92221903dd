/**
 * ONNX initializers: float16 and bfloat16 widened exactly, the typed fields (float_data,
 * double_data, int32_data holding 16-bit floats, int64_data), and every count the data must match.
 */
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { readOnnx } from '../../src/weights/onnx/read-onnx.js';
import { BFLOAT16, DOUBLE, FLOAT, FLOAT16, MLP_INITIALIZERS, type ModelOptions, f32, model, tensor } from './onnx-builder.js';

const read = (options: ModelOptions, maxBytes?: number) =>
  readOnnx({ bytes: model(options), path: '/nonexistent/t.onnx', file: 't.onnx' }, maxBytes === undefined ? {} : { maxBytes });

const refuses = async (t: ExecutionContext, options: ModelOptions, problem: string, maxBytes?: number): Promise<void> => {
  await t.throwsAsync(read(options, maxBytes), { instanceOf: InputError, message: `t.onnx: ${problem}` });
};

/** The MLP with W1 (3 × 4) replaced. */
const withW1 = (W1: Record<string, unknown>): ModelOptions => ({ initializers: [W1, ...MLP_INITIALIZERS.slice(1)] });

/** float16 bit patterns and their values: 1, −2, 0.5, 65504 (the largest), 2^−24 (the smallest subnormal), −0, … */
const HALF = [[0x3c00, 1], [0xc000, -2], [0x3800, 0.5], [0x7bff, 65504], [0x0001, 2 ** -24], [0x8000, -0], [0x3555, 0.333251953125], [0x0400, 2 ** -14], [0x4200, 3], [0x5640, 100], [0xbc00, -1], [0x0000, 0]] as const;
/** bfloat16: the top half of a float32. */
const BF16 = [[0x3f80, 1], [0xc000, -2], [0x3f00, 0.5], [0x7f7f, 3.3895313892515355e38], [0x0001, 9.183549615799121e-41], [0x8000, -0], [0x3eab, 0.333984375], [0x4049, 3.140625], [0x4040, 3], [0x42c8, 100], [0xbf80, -1], [0x0000, 0]] as const;

const u16le = (bits: readonly number[]): Uint8Array => {
  const bytes = new Uint8Array(bits.length * 2);
  bits.forEach((b, i) => new DataView(bytes.buffer).setUint16(i * 2, b, true));
  return bytes;
};

for (const [name, dataType, table] of [['float16', FLOAT16, HALF], ['bfloat16', BFLOAT16, BF16]] as const) {
  test(`${name} initializers are widened to float32 exactly, from raw_data and from int32_data`, async (t) => {
    const bits = table.map(([b]) => b);
    const values = table.map(([, v]) => v);
    for (const fields of [{ raw_data: u16le(bits) }, { int32_data: bits }]) {
      const weights = await read(withW1(tensor('W1', [3, 4], { data_type: dataType, raw_data: undefined, ...fields })));
      const W1 = weights.arrays.get('W1')!;
      t.is(W1.dtype, 'float32');
      t.deepEqual(W1.shape, [3, 4]);
      t.deepEqual(Array.from(W1.data), values.map((v) => Math.fround(v)), Object.keys(fields)[0]);
    }
  });
}

test('float_data and double_data (kept as float64) hold the values; raw_data is little-endian', async (t) => {
  const values = Array.from({ length: 12 }, (_, i) => (i - 6) / 3);
  const fromFloats = await read(withW1(tensor('W1', [3, 4], { raw_data: undefined, float_data: values })));
  t.deepEqual(Array.from(fromFloats.arrays.get('W1')!.data), values.map(Math.fround));
  const fromDoubles = await read(withW1(tensor('W1', [3, 4], { data_type: DOUBLE, raw_data: undefined, double_data: values })));
  t.is(fromDoubles.arrays.get('W1')!.dtype, 'float64');
  t.deepEqual(Array.from(fromDoubles.arrays.get('W1')!.data), values);
  const raw = await read(withW1(tensor('W1', [3, 4], { raw_data: f32(values) })));
  t.deepEqual(Array.from(raw.arrays.get('W1')!.data), values.map(Math.fround));
});

test('raw data of the wrong byte count, typed fields with the wrong count or the wrong field, and no data are refused', async (t) => {
  await refuses(t, withW1(tensor('W1', [3, 4], { raw_data: f32(new Array(11).fill(1)) })), "initializer 'W1': has 44 data bytes, expected 48 for shape (3, 4) FLOAT");
  await refuses(t, withW1(tensor('W1', [3, 4], { data_type: FLOAT16, raw_data: new Uint8Array(48) })), "initializer 'W1': has 48 data bytes, expected 24 for shape (3, 4) FLOAT16");
  await refuses(t, withW1(tensor('W1', [3, 4], { raw_data: undefined, float_data: new Array(11).fill(1) })), "initializer 'W1': float_data holds 11 values, expected 12 for shape (3, 4)");
  await refuses(t, withW1(tensor('W1', [3, 4], { raw_data: undefined, float_data: new Array(13).fill(1) })), "initializer 'W1': float_data holds more than the 12 values of shape (3, 4)");
  await refuses(t, withW1(tensor('W1', [3, 4], { raw_data: undefined, double_data: new Array(12).fill(1) })), "initializer 'W1': holds double_data, expected float_data for FLOAT");
  await refuses(t, withW1(tensor('W1', [3, 4], { data_type: FLOAT16, raw_data: undefined, int32_data: [...new Array(11).fill(0), 70000] })),
    "initializer 'W1': int32_data holds 70000, expected the 16 bits of a FLOAT16 (0 to 65535)");
  await refuses(t, withW1(tensor('W1', [3, 4], { raw_data: undefined })), "initializer 'W1': has no data, expected 12 for shape (3, 4)");
});

test('NaN and infinity in a weight are refused where they are, float16 ones included', async (t) => {
  await refuses(t, withW1(tensor('W1', [3, 4], { raw_data: f32([...new Array(5).fill(0), NaN, ...new Array(6).fill(0)]) })), "initializer 'W1' contains NaN at [1, 1]");
  await refuses(t, withW1(tensor('W1', [3, 4], { data_type: FLOAT16, raw_data: undefined, int32_data: [...new Array(11).fill(0), 0x7c00] })), "initializer 'W1' contains Infinity at [2, 3]");
});

test('a data type that is not a float is kept out of the arrays; one used as a weight is refused', async (t) => {
  const weights = await read({ initializers: [...MLP_INITIALIZERS, { name: 'steps', dims: [1], data_type: 7, int64_data: [3] }] });
  t.false(weights.arrays.has('steps'));
  await refuses(t, withW1({ name: 'W1', dims: [3, 4], data_type: 3, raw_data: new Uint8Array(12) }), "node 1 'Gemm_0' (Gemm): its B 'W1' is not a float tensor, expected a float initializer");
});

test('declared sizes are claimed from the budget before anything is allocated', async (t) => {
  // 10^6 × 10^6 float32 declared with 48 bytes of data: refused for its declared 4 TB, not allocated.
  await refuses(t, withW1(tensor('W1', [1_000_000, 1_000_000], { raw_data: f32(new Array(12).fill(0)) })),
    "initializer 'W1' declares 4000000000000 bytes (shape (1000000, 1000000), float32), over the limit of 2147483648 bytes");
  // The arrays of the MLP take 4 · (12 + 3 + 6 + 2) = 92 bytes: W2 is the one that passes 70.
  await refuses(t, {}, "initializer 'W2' takes the arrays to 84 bytes, over the limit of 70 bytes", 70);
  // float16 is claimed as the float32 it is widened to: 48 bytes, though the file holds 24.
  await refuses(t, withW1(tensor('W1', [3, 4], { data_type: FLOAT16, raw_data: undefined, int32_data: new Array(12).fill(0) })),
    "initializer 'W1' declares 48 bytes (shape (3, 4), float32), over the limit of 40 bytes", 40);
});

test('dims: negative, beyond 2^53 or more than 8 are refused; initializers need a name of their own', async (t) => {
  await refuses(t, withW1(tensor('W1', [3, 4], { dims: [3, -4] })), 'initializer 1: dim 1 is -4, expected a size of at least 0');
  await refuses(t, withW1(tensor('W1', [3, 4], { dims: [3, { low: 0, high: 0x400000, unsigned: false }] })), 'initializer 1: dim 1 is beyond 2^53, expected a size of at least 0');
  await refuses(t, withW1(tensor('W1', [3, 4], { dims: new Array(9).fill(1) })), 'initializer 1: more than 8 dims');
  await refuses(t, withW1(tensor('', [3, 4])), 'initializer 1 has no name');
  await refuses(t, withW1(tensor('W'.repeat(70000), [3, 4])), 'initializer 1: field 8 at byte 6 is 70000 bytes of text, more than 65536'); // after dims (4 bytes) and data_type (2)
  await refuses(t, { initializers: [...MLP_INITIALIZERS, tensor('W1', [3, 4])] }, "initializer 'W1' is given twice");
  await refuses(t, withW1(tensor('W1', [3, 4], { segment: { begin: 0, end: 6 } })), 'initializer 1: is a segment of a tensor split across TensorProtos, which this reader does not join');
  await refuses(t, withW1(tensor('W1', [3, 4], { data_type: FLOAT, raw_data: undefined, string_data: [new Uint8Array(1)] })), 'initializer 1: holds string_data, expected numbers');
});
