import test from 'ava';
import { InputError } from '../../src/errors.js';
import { parseNpy, parseNpyHeader, parsePythonLiteral } from '../../src/weights/npy.js';

/** A .npy file as np.save writes it: magic, version, header length, a padded header dict, data. */
function npy(header: string, data: Uint8Array, version = 1): Uint8Array {
  const lengthSize = version === 1 ? 2 : 4;
  const unpadded = new TextEncoder().encode(`${header}\n`).length;
  const text = header + ' '.repeat((64 - ((8 + lengthSize + unpadded) % 64)) % 64) + '\n';
  const encoded = new TextEncoder().encode(text);
  const bytes = new Uint8Array(8 + lengthSize + encoded.length + data.length);
  bytes.set([0x93, ...new TextEncoder().encode('NUMPY'), version, 0]);
  const view = new DataView(bytes.buffer);
  if (version === 1) view.setUint16(8, encoded.length, true);
  else view.setUint32(8, encoded.length, true);
  bytes.set(encoded, 8 + lengthSize);
  bytes.set(data, 8 + lengthSize + encoded.length);
  return bytes;
}

const bytesOf = (values: Float32Array | Float64Array) => new Uint8Array(values.buffer);

function bigEndian64(values: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => view.setFloat64(i * 8, v, false));
  return new Uint8Array(view.buffer);
}

test('a v1 little-endian float32 C-order array', (t) => {
  const bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", bytesOf(Float32Array.of(1, 2, 3, 4, 5, 6.5)));
  t.is(bytes.length % 64, 24); // header padded to 64, then 24 data bytes
  t.deepEqual(parseNpy(bytes, 'w.npz', 'W1'), { shape: [2, 3], dtype: 'float32', data: Float32Array.of(1, 2, 3, 4, 5, 6.5) });
});

test('a v2 big-endian float64 Fortran-order array of rank 3 comes back in C order', (t) => {
  // numpy: a = np.arange(24.).reshape(2, 3, 4); the file holds a.ravel(order='F')
  const c = Array.from({ length: 24 }, (_, i) => i);
  const fortran: number[] = [];
  for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) fortran.push(c[i * 12 + j * 4 + k]);
  const bytes = npy("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3, 4), }", bigEndian64(fortran), 2);
  const a = parseNpy(bytes, 'w.npz', 'W1');
  t.deepEqual([a.dtype, a.shape], ['float64', [2, 3, 4]]);
  t.deepEqual(Array.from(a.data), c);
});

test('v3 headers are utf-8, and = and | byte orders mean native', (t) => {
  const bytes = npy("{'descr': '=f4', 'fortran_order': False, 'shape': (2,), 'note': 'ü'}", bytesOf(Float32Array.of(0.5, -2)), 3);
  t.deepEqual(parseNpy(bytes, 'w.npz', 'b1').data, Float32Array.of(0.5, -2));
  const pipe = npy("{'descr': '|f8', 'fortran_order': False, 'shape': (1,), }", bytesOf(Float64Array.of(3)));
  t.deepEqual(parseNpy(pipe, 'w.npz', 'b1').data, Float64Array.of(3));
});

test('a scalar has shape () and one value', (t) => {
  const bytes = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", bytesOf(Float64Array.of(7)));
  t.deepEqual(parseNpy(bytes, 'w.npz', 's'), { shape: [], dtype: 'float64', data: Float64Array.of(7) });
});

test('Python 2 headers with long ints parse', (t) => {
  const bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 1L), }", bytesOf(Float32Array.of(1, 2)));
  t.deepEqual(parseNpyHeader(bytes, 'w.npz', 'W1').shape, [2, 1]);
});

const f4 = bytesOf(Float32Array.of(1, 2));
const broken: Array<[string, Uint8Array, string]> = [
  ['bad magic', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x58, 1, 0, 0, 0]), "W1 is not a .npy array, expected the magic string \\x93NUMPY"],
  ['short file', Uint8Array.from([0x93, 0x4e]), 'W1 is not a .npy array, expected the magic string \\x93NUMPY'],
  ['version 4', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f4, 4), 'W1 has .npy format version 4.0, expected 1, 2 or 3'],
  ['cut header', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f4).subarray(0, 40), 'W1 has a truncated .npy header, expected 118 header bytes, got 30'],
  ['eval in header', npy("{'descr': __import__('os'), }", f4), "W1 has a malformed .npy header, unexpected '_' at character 10"],
  ['unterminated', npy("{'descr': '<f4", f4), 'W1 has a malformed .npy header, unterminated string'],
  ['list header', npy("['<f4']", f4), 'W1 has a malformed .npy header, expected a dict'],
  ['no descr', npy("{'fortran_order': False, 'shape': (2,), }", f4), 'W1 has a .npy header without descr'],
  ['structured', npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }", f4), 'W1 has a structured dtype, expected float32 or float64'],
  ['no order', npy("{'descr': '<f4', 'shape': (2,), }", f4), 'W1 has a .npy header without a boolean fortran_order'],
  ['negative shape', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", f4), 'W1 has a .npy header without a shape of non-negative ints'],
  ['int32', npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", f4), "W1 has unsupported dtype int32 ('<i4'), expected float32 or float64"],
  ['object', npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", f4), "W1 has unsupported dtype object ('|O'), expected float32 or float64"],
  ['short data', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f4), 'W1 has 8 data bytes, expected 12 for shape (3,) float32'],
  ['long data', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", f4), 'W1 has 8 data bytes, expected 4 for shape (1,) float32'],
  ['infinity', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", bytesOf(Float32Array.of(1, Infinity))), 'W1 contains Infinity at [0, 1]'],
  ['too big', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (65536, 65536), }", f4), 'W1 declares 34359738368 bytes (shape (65536, 65536), float64), over the limit of 2147483648 bytes'],
];

for (const [what, bytes, problem] of broken) {
  test(`refuses ${what}: ${problem}`, (t) => {
    t.throws(() => parseNpy(bytes, 'w.npz', 'W1'), { instanceOf: InputError, message: `w.npz: ${problem}` });
  });
}

test('maxBytes applies to the declared shape', (t) => {
  const bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f4);
  t.throws(() => parseNpy(bytes, 'w.npz', 'W1', { maxBytes: 7 }), {
    message: 'w.npz: W1 declares 8 bytes (shape (2,), float32), over the limit of 7 bytes',
  });
  t.is(parseNpy(bytes, 'w.npz', 'W1', { maxBytes: 8 }).data.length, 2);
});

test('parsePythonLiteral reads the literals of .npy headers and nothing else', (t) => {
  t.deepEqual(parsePythonLiteral(" {'a': (1, 2,), \"b\": [True, None], 'c': (), 'd': (5,), 'e': 'x\\'y'} "),
    new Map<unknown, unknown>([['a', [1, 2]], ['b', [true, null]], ['c', []], ['d', [5]], ['e', "x'y"]]));
  t.throws(() => parsePythonLiteral("{'a': 1} junk"), { instanceOf: SyntaxError, message: "unexpected 'j' at character 9" });
  t.throws(() => parsePythonLiteral("{'a' 1}"), { instanceOf: SyntaxError, message: "expected ':' at character 5" });
  t.throws(() => parsePythonLiteral('(1 2)'), { instanceOf: SyntaxError, message: "expected ',' or ')' at character 3" });
  t.throws(() => parsePythonLiteral('('.repeat(100)), { instanceOf: SyntaxError, message: 'nested too deeply' });
  t.throws(() => parsePythonLiteral(''), { instanceOf: SyntaxError, message: 'unexpected end at character 0' });
});
