import test from 'ava';
import { InputError } from '../../src/errors.js';
import { createByteBudget, decodeArray, floatType, formatShape } from '../../src/weights/decode-array.js';

const little32 = floatType('<f4', 'w', 'W');

test('floatType reads numpy type strings', (t) => {
  t.deepEqual(floatType('<f4', 'w', 'W'), { dtype: 'float32', littleEndian: true });
  t.deepEqual(floatType('>f8', 'w', 'W'), { dtype: 'float64', littleEndian: false });
  t.deepEqual(floatType('f8', 'w', 'W'), { dtype: 'float64', littleEndian: true });
  t.deepEqual(floatType('=f4', 'w', 'W'), { dtype: 'float32', littleEndian: true });
  t.deepEqual(floatType('|f4', 'w', 'W'), { dtype: 'float32', littleEndian: true });
  t.throws(() => floatType('<c16', 'w.pkl', 'W1'), {
    instanceOf: InputError, message: "w.pkl: W1 has unsupported dtype complex128 ('<c16'), expected float32 or float64",
  });
  t.throws(() => floatType('<U5', 'w.pkl', 'W1'), { message: "w.pkl: W1 has unsupported dtype '<U5', expected float32 or float64" });
  t.throws(() => floatType('f4\n', 'w.pkl', 'W1'), { message: "w.pkl: W1 has unsupported dtype 'f4\\x0a', expected float32 or float64" });
});

test('formatShape prints shapes as Python does', (t) => {
  t.is(formatShape([784, 50]), '(784, 50)');
  t.is(formatShape([10]), '(10,)');
  t.is(formatShape([]), '()');
});

test('aligned little-endian data is a view, unaligned data a copy', (t) => {
  const pool = new Uint8Array(4 * 3 + 1);
  pool.set(new Uint8Array(Float32Array.of(1.5, -2, 3).buffer), 1);
  const unaligned = decodeArray({ name: 'b1', shape: [3], type: little32, fortranOrder: false, bytes: pool.subarray(1) }, 'w');
  t.deepEqual(unaligned.data, Float32Array.of(1.5, -2, 3));
  t.not(unaligned.data.buffer, pool.buffer);
  const bytes = new Uint8Array(Float32Array.of(1.5, -2, 3).buffer);
  const aligned = decodeArray({ name: 'b1', shape: [3], type: little32, fortranOrder: false, bytes }, 'w');
  t.is(aligned.data.buffer, bytes.buffer);
});

test('big-endian float32 is byte-swapped exactly, at any offset', (t) => {
  const values = [0.1, -3.4028234663852886e38, 1.401298464324817e-45, -0];
  const bytes = new Uint8Array(1 + 16);
  const view = new DataView(bytes.buffer, 1);
  values.forEach((v, i) => view.setFloat32(i * 4, v, false));
  const a = decodeArray({ name: 'b', shape: [4], type: floatType('>f4', 'w', 'b'), fortranOrder: false, bytes: bytes.subarray(1) }, 'w');
  t.deepEqual(a.data, Float32Array.from(values));
  t.true(Object.is(a.data[3], -0));
});

test('Fortran order is transposed into C order', (t) => {
  // numpy: np.arange(6.).reshape(2, 3) stored column by column
  const bytes = new Uint8Array(Float64Array.of(0, 3, 1, 4, 2, 5).buffer);
  const a = decodeArray({ name: 'W', shape: [2, 3], type: floatType('<f8', 'w', 'W'), fortranOrder: true, bytes }, 'w');
  t.deepEqual(a, { shape: [2, 3], dtype: 'float64', data: Float64Array.of(0, 1, 2, 3, 4, 5) });
  const empty = decodeArray({ name: 'W', shape: [0, 3], type: little32, fortranOrder: true, bytes: new Uint8Array(0) }, 'w');
  t.deepEqual(empty.shape, [0, 3]);
});

test('non-finite values are reported with their C-order index', (t) => {
  const data = new Float32Array(2 * 3 * 4);
  data[1 * 12 + 2 * 4 + 3] = NaN;
  const bytes = new Uint8Array(data.buffer);
  t.throws(() => decodeArray({ name: 'W1', shape: [2, 3, 4], type: little32, fortranOrder: false, bytes }, 'w.pkl'), {
    instanceOf: InputError, message: 'w.pkl: W1 contains NaN at [1, 2, 3]',
  });
});

test('a byte budget counts all arrays of a file', (t) => {
  const { claim } = createByteBudget('w.pkl', { maxBytes: 100 });
  t.is(claim('W1', [4, 5], 'float32'), 80);
  t.throws(() => claim('b1', [3], 'float64'), { message: 'w.pkl: b1 takes the arrays to 104 bytes, over the limit of 100 bytes' });
  t.throws(() => createByteBudget('w.pkl').claim('W', [2 ** 40, 2 ** 40], 'float32'), {
    message: 'w.pkl: W declares 4.835703278458517e+24 bytes (shape (1099511627776, 1099511627776), float32), over the limit of 2147483648 bytes',
  });
});

test('a byte budget counts what a pickle makes and the arrays together', (t) => {
  const budget = createByteBudget('w.pkl', { maxBytes: 100 });
  budget.charge(30, 7);
  t.is(budget.claim('W1', [10], 'float32'), 40);
  t.throws(() => budget.claim('b1', [4], 'float64'), {
    message: 'w.pkl: b1 takes the arrays to 72 bytes, over the limit of 100 bytes with the 30 bytes of strings and bytes the pickle made',
  });
  budget.charge(30, 9);
  t.throws(() => budget.charge(1, 12), { message: 'w.pkl: unpickling takes more than the limit of 100 bytes (strings, bytes and arrays made by byte 12)' });
});
