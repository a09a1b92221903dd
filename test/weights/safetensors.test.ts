/**
 * readSafetensors and isSafetensors: the three files safetensors 0.8 wrote (exactly the book's
 * arrays), and files built here for every check of the header and the data section.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { isSafetensors, readSafetensors } from '../../src/weights/safetensors.js';
import { FORMATS_DIR, needsData } from '../helpers/data-dir.js';
import { bookNetworks, f32, f64, firstDifference, u16 } from './torch-builder.js';

needsData(test);

const realFile = (name: string) => ({ bytes: readFileSync(join(FORMATS_DIR, name)), file: name });

test('ch03.safetensors gives exactly the book\'s W1 … b3, in × out, with its metadata', async (t) => {
  const weights = await readSafetensors(realFile('ch03.safetensors'));
  t.is(weights.format, 'safetensors');
  t.is(weights.matrices, 'in-out');
  t.deepEqual(weights.metadata, { source: 'Deep Learning from Scratch ch03/sample_weight.pkl; 784-50-100-10 sigmoid sigmoid softmax; y = x @ W + b' });
  t.deepEqual([...weights.arrays.keys()], ['W1', 'W2', 'W3', 'b1', 'b2', 'b3']); // the header's order
  t.is(firstDifference(weights.arrays, (await bookNetworks()).ch03.book, true), undefined);
});

for (const [name, net] of [['ch03_torch.safetensors', 'ch03'], ['ch07_torch.safetensors', 'ch07']] as const) {
  test(`${name} gives exactly the book's arrays under torch's names, out × in`, async (t) => {
    const weights = await readSafetensors(realFile(name));
    t.is(weights.matrices, 'out-in');
    t.deepEqual(weights.metadata, {});
    t.is(firstDifference(weights.arrays, (await bookNetworks())[net].torch, true), undefined);
  });
}

/** A safetensors file: the header (a JSON value padded to 8 bytes, or text or bytes as given), then the data. */
function safetensors(header: unknown, data: Uint8Array = new Uint8Array(0), length?: number): Uint8Array {
  const raw = typeof header === 'string' || header instanceof Uint8Array;
  let json = header instanceof Uint8Array ? Buffer.from(header) : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  if (!raw) json = Buffer.concat([json, Buffer.from(' '.repeat((8 - (json.length % 8)) % 8))]);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(length ?? json.length));
  return Buffer.concat([head, json, data]);
}

const read = (bytes: Uint8Array, maxBytes?: number) => readSafetensors({ bytes, file: 'model.safetensors' }, { maxBytes });
const refuses = async (t: ExecutionContext, bytes: Uint8Array, problem: string, maxBytes?: number) => {
  await t.throwsAsync(read(bytes, maxBytes), { instanceOf: InputError, message: `model.safetensors: ${problem}` });
};
const plain = async (bytes: Uint8Array) => Object.fromEntries([...(await read(bytes)).arrays].map(([key, a]) => [key, { dtype: a.dtype, shape: [...a.shape], data: [...a.data] }]));

const W = { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] };
const b = { dtype: 'F32', shape: [2], data_offsets: [16, 24] };
const data = f32([1, -2, 0.5, 4, 0.25, -0.25]);

test('isSafetensors: a plausible header length, then {', (t) => {
  t.true(isSafetensors(readFileSync(join(FORMATS_DIR, 'ch03.safetensors'))));
  t.true(isSafetensors(safetensors({ W }, data)));
  t.false(isSafetensors(readFileSync(join(FORMATS_DIR, 'ch03_state_dict.pt'))));
  t.false(isSafetensors(safetensors({ W }, data, 10_000)));
  t.false(isSafetensors(safetensors('[]      ')));
  t.false(isSafetensors(new Uint8Array(9)));
  t.false(isSafetensors(safetensors('{', new Uint8Array(0), 1)));
});

test('F32, F64, F16 and BF16 are read (16-bit floats widened), integer and BOOL tensors left out', async (t) => {
  const header = {
    __metadata__: { format: 'pt' },
    half: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
    brain: { dtype: 'BF16', shape: [3], data_offsets: [6, 12] },
    counter: { dtype: 'I64', shape: [], data_offsets: [12, 20] },
    mask: { dtype: 'BOOL', shape: [4], data_offsets: [20, 24] },
    double: { dtype: 'F64', shape: [1], data_offsets: [24, 32] },
  };
  const bytes = Buffer.concat([u16([0x3c00, 0x3555, 0x0001]), u16([0xc040, 0x3eab, 0x7f7f]), new Uint8Array(12), f64([0.1])]);
  const weights = await read(safetensors(header, bytes));
  t.deepEqual(weights.metadata, { format: 'pt' });
  t.deepEqual(await plain(safetensors(header, bytes)), {
    half: { dtype: 'float32', shape: [3], data: [1, 0.333251953125, 2 ** -24] },
    brain: { dtype: 'float32', shape: [3], data: [-3, 0.333984375, 3.3895313892515355e38] },
    double: { dtype: 'float64', shape: [1], data: [0.1] },
  });
});

test('tensors may be listed in any order: data_offsets place them', async (t) => {
  t.deepEqual(await plain(safetensors({ 'fc.bias': b, 'fc.weight': W }, data)), {
    'fc.bias': { dtype: 'float32', shape: [2], data: [0.25, -0.25] },
    'fc.weight': { dtype: 'float32', shape: [2, 2], data: [1, -2, 0.5, 4] },
  });
  t.is((await read(safetensors({ 'fc.bias': b, 'fc.weight': W }, data))).matrices, 'out-in');
  t.is((await read(safetensors({ b, W }, data))).matrices, 'in-out');
});

test('__metadata__ keeps 32 entries of at most 200 characters', async (t) => {
  const entries = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(300)]));
  const weights = await read(safetensors({ __metadata__: entries, W, b }, data));
  t.is(Object.keys(weights.metadata).length, 32);
  t.is(weights.metadata.k0, 'v'.repeat(200));
  t.false('k32' in weights.metadata);
});

const headers: Array<[string, Uint8Array, string]> = [
  ['a file shorter than the length', new Uint8Array(5), 'truncated safetensors file of 5 bytes, expected an 8-byte header length first'],
  ['a header length past the file', safetensors({ W, b }, data, 1000), 'safetensors header length 1000 runs past the end of the file, which has 136 bytes after it'],
  ['a huge header length', safetensors({ W, b }, data, 2 ** 60), 'safetensors header length 1152921504606846976 is over the limit of 100000000 bytes'],
  ['a header length of 1', safetensors('{', new Uint8Array(0), 1), 'safetensors header length 1 is too short for a JSON header'],
  ['a header that is not JSON', safetensors('{"W": }'), 'the safetensors header is not valid JSON'],
  ['a header that is not UTF-8', safetensors(Uint8Array.from([0x7b, 0xff, 0x7d])), 'the safetensors header is not UTF-8 text'],
  ['a header that is a list', safetensors([W]), 'the safetensors header is not a JSON object'],
  ['metadata that is not all strings', safetensors({ __metadata__: { epoch: 3 }, W, b }, data), "__metadata__ entry 'epoch' is not a string"],
  ['a tensor that is not an object', safetensors({ W: 1 }), 'tensor W is not a JSON object'],
  ['an unknown dtype', safetensors({ W: { ...W, dtype: 'F8_E4M3' } }, data), "tensor W has unsupported dtype 'F8_E4M3', expected F32, F64, F16 or BF16 (integer and BOOL tensors are left out)"],
  ['a dtype that is not a string', safetensors({ W: { ...W, dtype: 4 } }, data), 'tensor W has unsupported dtype 4, expected F32, F64, F16 or BF16 (integer and BOOL tensors are left out)'],
  ['an unknown key', safetensors({ W: { ...W, offset: 0 } }, data), "tensor W has an unknown key 'offset', expected dtype, shape and data_offsets"],
  ['a missing key', safetensors({ W: { dtype: 'F32', shape: [2, 2] } }, data), 'tensor W has no data_offsets'],
  ['a malformed shape', safetensors({ W: { ...W, shape: [2, -2] } }, data), 'tensor W has a malformed shape, expected a list of non-negative integers'],
  ['malformed data_offsets', safetensors({ W: { ...W, data_offsets: [0, 1.5] } }, data), 'tensor W has malformed data_offsets, expected [begin, end] of non-negative integers'],
  ['offsets that end before they begin', safetensors({ W: { ...W, data_offsets: [16, 0] } }, data), 'tensor W has data_offsets [16, 0] that end before they begin'],
  ['offsets outside the data', safetensors({ W, b: { ...b, data_offsets: [16, 32] } }, data), 'tensor b has data_offsets [16, 32] past the end of the data, which has 24 bytes'],
  ['a byte size other than the shape\'s', safetensors({ W: { ...W, shape: [2, 1] }, b }, data), 'tensor W has 16 data bytes (data_offsets [0, 16]), expected 8 for shape (2, 1) F32'],
  ['a shape too large for the file', safetensors({ W: { ...W, shape: [2 ** 40, 2 ** 40] }, b }, data), 'tensor W has shape (1099511627776, 1099511627776), whose F32 data would take more than the 24 bytes of data in the file'],
  ['overlapping tensors', safetensors({ W, b: { ...b, data_offsets: [8, 16] }, c: { ...b, data_offsets: [16, 24] } }, data), 'tensors W and b overlap (data_offsets [0, 16] and [8, 16])'],
  ['a gap between tensors', safetensors({ W: { ...W, shape: [1, 2], data_offsets: [0, 8] }, b }, data), 'bytes 8 to 16 of the data belong to no tensor (before b)'],
  ['bytes after the last tensor', safetensors({ W }, data), 'bytes 16 to 24 of the data belong to no tensor (after the last one)'],
  ['only integer tensors', safetensors({ step: { dtype: 'I64', shape: [3], data_offsets: [0, 24] } }, data), 'the file holds no float tensors (tensors: step (I64))'],
  ['no tensors', safetensors({}), 'the file holds no float tensors (tensors: none)'],
  ['NaN in a tensor', safetensors({ W, b }, Buffer.concat([f32([1, 2, 3, 4, 5]), f32([NaN])])), 'b contains NaN at [1]'],
  ['an infinite float16', safetensors({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, u16([0, 0xfc00])), 'h contains -Infinity at [1]'],
  ['a name with control characters', safetensors({ 'a\nb': { ...W, dtype: 'X' } }, data), "tensor 'a\\x0ab' has unsupported dtype 'X', expected F32, F64, F16 or BF16 (integer and BOOL tensors are left out)"],
];

for (const [title, bytes, problem] of headers) {
  test(`refused: ${title}`, async (t) => {
    await refuses(t, bytes, problem);
  });
}

test('every float tensor is claimed from the budget before it is decoded', async (t) => {
  await refuses(t, safetensors({ W, b }, data), 'b takes the arrays to 24 bytes, over the limit of 20 bytes', 20);
});
