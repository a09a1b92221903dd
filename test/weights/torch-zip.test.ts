/**
 * readTorchZip: the state dicts torch 2.13 wrote (exactly the book's arrays, fc*.weight transposed),
 * the whole-model pickle refused, and zips built here for every check of the archive, the
 * storages and the views.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { readTorchZip } from '../../src/weights/torch/torch-zip.js';
import { FORMATS_DIR, needsData } from '../helpers/data-dir.js';
import {
  type FakeTensor, bookNetworks, checkpointPickle, f32, f64, firstDifference, stateDictPickle, torchZip, u16, writeSource, zipArchive,
} from './torch-builder.js';

needsData(test);

const real = (name: string) => {
  const path = join(FORMATS_DIR, name);
  return { bytes: readFileSync(path), path, file: name.replace(/.*\//, '') };
};

for (const [name, net] of [['ch03_state_dict.pt', 'ch03'], ['ch07_state_dict.pt', 'ch07']] as const) {
  test(`${name} gives exactly the book's arrays, under torch's names, out × in`, async (t) => {
    const weights = await readTorchZip(real(name));
    t.is(weights.format, 'torch-zip');
    t.is(weights.matrices, 'out-in');
    t.is(weights.spec, undefined);
    t.deepEqual(weights.metadata, { byteorder: 'little', format_version: '1', archive_version: '3', storage_alignment: '64' });
    t.is(firstDifference(weights.arrays, (await bookNetworks())[net].torch), undefined);
  });
}

test('bad/ch03_full_model.pt, a whole nn.Module, is refused by the first class it names', async (t) => {
  await t.throwsAsync(readTorchZip(real('bad/ch03_full_model.pt')), {
    instanceOf: InputError,
    message: 'ch03_full_model.pt: refused global __main__.MLP: the file is a whole model pickled with torch.save(model), not a state dict; '
      + 'save model.state_dict() instead, or export the model to ONNX (nothing in the file was run)',
  });
});

const W: FakeTensor = { name: 'fc.weight', key: '0', numel: 6, size: [2, 3] };
const b: FakeTensor = { name: 'fc.bias', key: '1', numel: 2, size: [2] };
const values = [1.5, -2, 0.25, 3, -0.125, 1e-3];

const read = (bytes: Uint8Array, name = 'model.pt', maxBytes?: number) => readTorchZip(writeSource(name, bytes), { maxBytes });

/** The arrays as plain values. */
const plain = async (bytes: Uint8Array) => {
  const weights = await read(bytes);
  return Object.fromEntries([...weights.arrays].map(([key, a]) => [key, { dtype: a.dtype, shape: [...a.shape], data: [...a.data] }]));
};

const refuses = async (t: ExecutionContext, bytes: Uint8Array, problem: string, maxBytes?: number) => {
  await t.throwsAsync(read(bytes, 'model.pt', maxBytes), { instanceOf: InputError, message: `model.pt: ${problem}` });
};

const f32Values = (list: readonly number[]) => [...new Float32Array(list)];

test('a state dict in any top folder, stored or deflated, in the dict\'s order', async (t) => {
  const pkl = stateDictPickle([W, b]);
  const storages = { 0: f32(values), 1: f32([0.5, -0.5]) };
  const expected = {
    'fc.weight': { dtype: 'float32', shape: [2, 3], data: f32Values(values) },
    'fc.bias': { dtype: 'float32', shape: [2], data: [0.5, -0.5] },
  };
  t.deepEqual(await plain(torchZip(pkl, storages, { folder: 'my model' })), expected);
  t.deepEqual(await plain(torchZip(pkl, storages, { deflate: true })), expected);
  const weights = await read(torchZip(pkl, storages));
  t.deepEqual(weights.metadata, { byteorder: 'little', format_version: '1', archive_version: '3' });
});

test('big-endian storages (byteorder big) are swapped', async (t) => {
  const pkl = stateDictPickle([W, { ...b, type: 'DoubleStorage' }]);
  const weights = await plain(torchZip(pkl, { 0: f32(values, false), 1: f64([0.1, -1e300], false) }, { byteorder: 'big' }));
  t.deepEqual(weights['fc.weight'].data, f32Values(values));
  t.deepEqual(weights['fc.bias'], { dtype: 'float64', shape: [2], data: [0.1, -1e300] });
});

test('float16 and bfloat16 storages are widened to float32 exactly, in either byte order', async (t) => {
  const tensors = [{ ...W, type: 'HalfStorage' }, { ...W, name: 'bf', key: '1', type: 'BFloat16Storage' }];
  // float16: 1, -2, 0x3555 = 0.333251953125, the smallest subnormal 2^-24, the largest 65504, -0
  const half = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x8000];
  // bfloat16: 1, -3, 0x3eab = 0.333984375, the largest 3.3895313892515355e38, 2^-133 (subnormal), 0
  const brain = [0x3f80, 0xc040, 0x3eab, 0x7f7f, 0x0001, 0x0000];
  const expected = {
    'fc.weight': { dtype: 'float32', shape: [2, 3], data: [1, -2, 0.333251953125, 2 ** -24, 65504, -0] },
    bf: { dtype: 'float32', shape: [2, 3], data: [1, -3, 0.333984375, 3.3895313892515355e38, 2 ** -133, 0] },
  };
  t.deepEqual(await plain(torchZip(stateDictPickle(tensors), { 0: u16(half), 1: u16(brain) })), expected);
  t.deepEqual(await plain(torchZip(stateDictPickle(tensors), { 0: u16(half, false), 1: u16(brain, false) }, { byteorder: 'big' })), expected);
});

test('a view with an offset and strides other than C order is gathered into C order', async (t) => {
  // The storage holds 8 values; the tensor is the transpose of its 2 × 3 block starting at element 2.
  const storage = f32([9, 9, 1, 2, 3, 4, 5, 6]);
  const tensor: FakeTensor = { name: 'Wt', key: '0', numel: 8, size: [3, 2], stride: [1, 3], offset: 2 };
  const row: FakeTensor = { name: 'row', key: '0', numel: 8, size: [1, 3], stride: [99, 1], offset: 5 };
  const same: FakeTensor = { name: 'broadcast', key: '0', numel: 8, size: [2, 2], stride: [0, 1], offset: 0 };
  t.deepEqual(await plain(torchZip(stateDictPickle([tensor, row, same]), { 0: storage })), {
    Wt: { dtype: 'float32', shape: [3, 2], data: [1, 4, 2, 5, 3, 6] },
    row: { dtype: 'float32', shape: [1, 3], data: [4, 5, 6] },
    broadcast: { dtype: 'float32', shape: [2, 2], data: [9, 9, 9, 9] },
  });
});

test('integer tensors (num_batches_tracked) are checked and left out', async (t) => {
  const counter: FakeTensor = { name: 'bn.num_batches_tracked', key: '2', numel: 1, size: [], type: 'LongStorage' };
  const pkl = stateDictPickle([W, counter]);
  t.deepEqual(Object.keys(await plain(torchZip(pkl, { 0: f32(values), 2: new Uint8Array(8) }))), ['fc.weight']);
  await refuses(t, torchZip(pkl, { 0: f32(values) }), "bn.num_batches_tracked's storage '2' has no entry 'archive/data/2'");
  await refuses(t, torchZip(pkl, { 0: f32(values), 2: new Uint8Array(4) }), "entry 'archive/data/2' holds 4 bytes, expected 8 for bn.num_batches_tracked's storage of 1 int64 elements");
  await refuses(t, torchZip(stateDictPickle([counter]), { 2: new Uint8Array(8) }), 'the state dict holds no float tensors (keys: bn.num_batches_tracked)');
});

test("a checkpoint's state dict under 'state_dict' or 'model_state_dict' is taken, and named in the metadata", async (t) => {
  for (const key of ['state_dict', 'model_state_dict', 'model']) {
    const weights = await read(torchZip(checkpointPickle(key, [W]), { 0: f32(values) }));
    t.deepEqual([...weights.arrays.keys()], ['fc.weight'], key);
    t.is(weights.metadata.state_dict_key, key);
  }
  await refuses(t, torchZip(checkpointPickle('weights', [W]), { 0: f32(values) }), 'the state dict holds no float tensors (keys: weights, epoch)');
});

const storages = { 0: f32(values), 1: f32([0, 0]) };

const broken: Array<[string, FakeTensor[], Record<string, Uint8Array>, string]> = [
  ['a storage entry shorter than its numel', [W], { 0: f32(values.slice(0, 5)) }, "entry 'archive/data/0' holds 20 bytes, expected 24 for fc.weight's storage of 6 float32 elements"],
  ['a storage entry longer than its numel', [W], { 0: f32([...values, 0]) }, "entry 'archive/data/0' holds 28 bytes, expected 24 for fc.weight's storage of 6 float32 elements"],
  ['a missing data/N', [W, b], { 0: f32(values) }, "fc.bias's storage '1' has no entry 'archive/data/1'"],
  ['an offset past the storage', [{ ...W, offset: 1 }], storages, 'fc.weight reaches element 6 of its storage, which holds 6 (offset 1, size (2, 3), stride (3, 1))'],
  ['a size past the storage', [{ ...W, size: [3, 3] }], storages, 'fc.weight reaches element 8 of its storage, which holds 6 (offset 0, size (3, 3), stride (3, 1))'],
  ['a stride past the storage', [{ ...W, stride: [4, 1] }], storages, 'fc.weight reaches element 6 of its storage, which holds 6 (offset 0, size (2, 3), stride (4, 1))'],
  ['a negative offset', [{ ...W, offset: -1 }], storages, 'fc.weight has a negative storage offset -1'],
  ['a negative stride', [{ ...W, stride: [3, -1], offset: 2 }], storages, 'fc.weight has a negative stride (3, -1)'],
  ['a negative size', [{ ...W, size: [-2, -3] }], storages, 'fc.weight has a negative size (-2, -3)'],
  ['one stride too few', [{ ...W, stride: [1] }], storages, 'fc.weight has size (2, 3) and stride (1,), expected one stride per dimension'],
  ['an empty tensor past the storage', [{ ...W, size: [0, 3], offset: 7 }], storages, 'fc.weight starts at element 7 of its storage, which holds 6'],
  ['NaN in a storage', [b], { 1: f32([0, NaN]) }, 'fc.bias contains NaN at [1]'],
  ['an infinite float16', [{ ...b, type: 'HalfStorage' }], { 1: u16([0x7c00, 0]) }, 'fc.bias contains Infinity at [0]'],
  ['one storage declared twice with other sizes', [W, { ...b, key: '0' }], storages, "corrupt pickle, storage '0' is declared twice, as 6 float32 and as 2 float32 elements, before byte 291"],
];

for (const [title, tensors, data, problem] of broken) {
  test(`refused: ${title}`, async (t) => {
    await refuses(t, torchZip(stateDictPickle(tensors), data), problem);
  });
}

test('a broadcast view of a huge size is claimed from the budget before anything is allocated', async (t) => {
  const huge: FakeTensor = { ...b, size: [100_000, 100_000], stride: [0, 0] };
  await refuses(t, torchZip(stateDictPickle([huge]), storages), 'fc.bias declares 40000000000 bytes (shape (100000, 100000), float32), over the limit of 2147483648 bytes');
  // With a limit the archive fits in (about 300 bytes), the tensor's 1,600 do not.
  const wide: FakeTensor = { ...b, size: [20, 20], stride: [0, 0] };
  await refuses(t, torchZip(stateDictPickle([wide]), storages), 'fc.bias declares 1600 bytes (shape (20, 20), float32), over the limit of 1000 bytes', 1000);
});

test('an archive without <folder>/data.pkl, or with two, is not a state dict', async (t) => {
  await refuses(t, zipArchive([{ name: 'data.pkl', data: stateDictPickle([W]) }, { name: 'data/0', data: f32(values) }]),
    "not a PyTorch zip, expected a <folder>/data.pkl entry, got 'data.pkl', 'data/0'");
  const pkl = stateDictPickle([W]);
  await refuses(t, zipArchive([{ name: 'a/data.pkl', data: pkl }, { name: 'b/data.pkl', data: pkl }]),
    "the zip holds 2 data.pkl entries ('a/data.pkl', 'b/data.pkl'), expected one state dict");
});

test('a byteorder other than little or big is refused', async (t) => {
  await refuses(t, torchZip(stateDictPickle([W]), storages, { byteorder: 'middle' }), "entry 'archive/byteorder' says 'middle', expected 'little' or 'big'");
  await refuses(t, torchZip(stateDictPickle([W]), storages, { byteorder: 'x'.repeat(100) }), "entry 'archive/byteorder' says '100 bytes', expected 'little' or 'big'");
});

test('a zip cut short, or with a storage entry whose bytes are corrupt, is refused', async (t) => {
  const whole = torchZip(stateDictPickle([W]), storages);
  await refuses(t, whole.subarray(0, whole.length - 30), 'not a readable PyTorch (zip) file, Bad archive');
  // The storage's data (after data.pkl, .format_version and the entry's own 30 + 14 byte header) changed: its CRC no longer matches.
  const corrupt = Buffer.from(whole);
  corrupt[corrupt.indexOf(Buffer.from('archive/data/0')) + 14] ^= 0xff;
  await refuses(t, corrupt, "entry 'archive/data/0' is corrupt, Invalid CRC");
});
