/**
 * readTorchLegacy and isTorchLegacy: torch 2.13's legacy file of the ch. 3 network (the book's
 * arrays, its storages in the string order of their keys), and files built here for every check
 * of the five pickles and the storages after them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { isTorchLegacy, readTorchLegacy } from '../../src/weights/torch/torch-legacy.js';
import { FORMATS_DIR, SAMPLE_WEIGHT, needsData } from '../helpers/data-dir.js';
import { EMPTY_DICT, PROTO2, SETITEM, STOP, global, pickle } from './pickle-builder.js';
import {
  type FakeTensor, LEGACY_HEAD, bookNetworks, checkpointPickle, chunk, f32, firstDifference, legacyFile, stateDictPickle, str,
} from './torch-builder.js';

needsData(test);


test('ch03_state_dict_legacy.pt gives exactly the book\'s arrays, in the dict\'s order', async (t) => {
  const path = join(FORMATS_DIR, 'ch03_state_dict_legacy.pt');
  const weights = await readTorchLegacy({ bytes: readFileSync(path), path, file: 'ch03_state_dict_legacy.pt' });
  t.is(weights.format, 'torch-legacy');
  t.is(weights.matrices, 'out-in');
  t.deepEqual(weights.metadata, { protocol_version: '1001', little_endian: 'true' });
  t.is(firstDifference(weights.arrays, (await bookNetworks()).ch03.torch), undefined);
});

test('isTorchLegacy tells the legacy file by its magic number, and nothing else', (t) => {
  t.true(isTorchLegacy(readFileSync(join(FORMATS_DIR, 'ch03_state_dict_legacy.pt'))));
  t.false(isTorchLegacy(readFileSync(join(FORMATS_DIR, 'ch03_state_dict.pt'))));
  t.false(isTorchLegacy(readFileSync(SAMPLE_WEIGHT)));
  t.false(isTorchLegacy(new Uint8Array(0)));
  t.false(isTorchLegacy(LEGACY_HEAD.subarray(0, 10)));
  // Protocol 4 frames the magic number's pickle (FRAME and its length, then the same bytes).
  const framed = Buffer.concat([Buffer.from([0x80, 4, 0x95, 13, 0, 0, 0, 0, 0, 0, 0]), LEGACY_HEAD.subarray(2, 15)]);
  t.true(isTorchLegacy(framed));
});

const W: FakeTensor = { name: 'fc.weight', key: '140', numel: 6, size: [2, 3] };
const b: FakeTensor = { name: 'fc.bias', key: '139', numel: 2, size: [2] };
const values = [1.5, -2, 0.25, 3, -0.125, 1e-3];
const data = { 140: chunk(6, f32(values)), 139: chunk(2, f32([0.5, -0.5])) };
const sd = stateDictPickle([W, b], true);

const read = (bytes: Uint8Array) => readTorchLegacy({ bytes, path: '/nowhere/model.pt', file: 'model.pt' });
const refuses = async (t: ExecutionContext, bytes: Uint8Array, problem: string) => {
  await t.throwsAsync(read(bytes), { instanceOf: InputError, message: `model.pt: ${problem}` });
};

test('storages come in the order of the key list, whatever the dict\'s order', async (t) => {
  const weights = await read(legacyFile(sd, ['139', '140'], [data[139], data[140]]));
  t.deepEqual([...weights.arrays.keys()], ['fc.weight', 'fc.bias']);
  t.deepEqual([...weights.arrays.get('fc.weight')!.data], [...new Float32Array(values)]);
  t.deepEqual([...weights.arrays.get('fc.bias')!.data], [0.5, -0.5]);
});

test('a checkpoint\'s nested state dict is taken, and named in the metadata', async (t) => {
  const weights = await read(legacyFile(checkpointPickle('state_dict', [W, b], true), ['139', '140'], [data[139], data[140]]));
  t.deepEqual(weights.metadata, { protocol_version: '1001', little_endian: 'true', state_dict_key: 'state_dict' });
});

/** The offset of the storages: after the head, the state dict and the key list. */
const dataStart = (keys: string[]) => legacyFile(sd, keys, []).length;

test('refused: an element count other than the storage\'s numel', async (t) => {
  await refuses(t, legacyFile(sd, ['139', '140'], [chunk(3, f32([0.5, -0.5, 0])), data[140]]),
    `storage '139' (fc.bias) holds 3 elements at byte ${dataStart(['139', '140'])}, expected the 2 its persistent id declares`);
});

test('refused: a storage cut short, or its count', async (t) => {
  const start = dataStart(['139', '140']);
  const whole = legacyFile(sd, ['139', '140'], [data[139], data[140]]);
  await refuses(t, whole.subarray(0, whole.length - 1), `truncated: storage '140' (fc.weight) needs 24 bytes at byte ${start + 16 + 8}, the file has 23 left`);
  await refuses(t, whole.subarray(0, start + 16 + 4), `truncated: storage '140' (fc.weight) has no element count at byte ${start + 16}, the file ends at byte ${start + 20}`);
  await refuses(t, whole.subarray(0, start), `truncated: storage '139' (fc.bias) has no element count at byte ${start}, the file ends at byte ${start}`);
});

test('refused: a count of 2^40 elements is compared, not read', async (t) => {
  await refuses(t, legacyFile(sd, ['139', '140'], [chunk(2 ** 40, new Uint8Array(0))]),
    `storage '139' (fc.bias) holds 1099511627776 elements at byte ${dataStart(['139', '140'])}, expected the 2 its persistent id declares`);
});

test('refused: a key list naming a storage no tensor declares, one twice, or leaving one out', async (t) => {
  await refuses(t, legacyFile(sd, ['139', '140', '7'], [data[139], data[140]]), "the list of storages names '7', which the state dict does not declare");
  await refuses(t, legacyFile(sd, ['139', '139'], [data[139], data[139]]), "the list of storages names '139' twice");
  await refuses(t, legacyFile(sd, ['139'], [data[139]]), "storage '140' (fc.weight) is not in the file's list of storages");
  await refuses(t, legacyFile(sd, [], []), "storage '140' (fc.weight) is not in the file's list of storages");
});

test('refused: bytes after the last storage', async (t) => {
  const whole = legacyFile(sd, ['139', '140'], [data[139], data[140], new Uint8Array(3)]);
  await refuses(t, whole, `3 bytes after the last storage, at byte ${whole.length - 3}, belong to nothing`);
});

test('refused: no magic number, another protocol version, a sys_info that is not a dict', async (t) => {
  await refuses(t, stateDictPickle([W], true), 'not a PyTorch legacy file, expected the magic number 0x1950a86a20f9469cfc6c as its first pickle');
  const magic = LEGACY_HEAD.subarray(0, 15);
  const sysInfo = pickle(PROTO2, EMPTY_DICT, STOP);
  await refuses(t, legacyFile(sd, [], [], Buffer.concat([magic, pickle(PROTO2, 0x4d, 0xe8, 0x03, STOP), sysInfo])), 'unsupported legacy protocol version 1000, expected 1001');
  await refuses(t, legacyFile(sd, [], [], Buffer.concat([magic, pickle(PROTO2, str('1001'), STOP), sysInfo])), 'unsupported legacy protocol version a str, expected 1001');
  await refuses(t, legacyFile(sd, [], [], Buffer.concat([magic, pickle(PROTO2, 0x4d, 0xe9, 0x03, STOP), pickle(PROTO2, 0x4e, STOP)])), 'expected the sys_info dict as the third pickle, got None');
});

test('refused: a global or persistent id in the header pickles, where torch writes none', async (t) => {
  const magic = LEGACY_HEAD.subarray(0, 21);
  const sysInfo = pickle(PROTO2, EMPTY_DICT, str('x'), global('torch._utils', '_rebuild_tensor_v2'), SETITEM, STOP);
  await refuses(t, legacyFile(sd, [], [], Buffer.concat([magic, sysInfo])),
    'refused global torch._utils._rebuild_tensor_v2: a state dict names only collections.OrderedDict, the torch._utils tensor rebuilders, torch storage types and _codecs.encode (nothing in the file was run)');
});

test('refused: the zip format\'s 5-item persistent id in a legacy file', async (t) => {
  const zipShaped = stateDictPickle([W]);
  const at = LEGACY_HEAD.length + zipShaped.indexOf(0x51) + 1; // after BINPERSID (no other 0x51 byte comes before it)
  await refuses(t, legacyFile(zipShaped, ['140'], [data[140]]), `corrupt pickle, the persistent id before byte ${at} is not ('storage', <storage type>, key, location, numel, None)`);
});

test('refused: a key list that is not a list of str', async (t) => {
  const bytes = Buffer.concat([LEGACY_HEAD, sd, pickle(PROTO2, EMPTY_DICT, STOP)]);
  await refuses(t, bytes, 'expected the list of storage keys as the fifth pickle, got a dict');
});

test('a whole model in the legacy format is refused by its class', async (t) => {
  await refuses(t, legacyFile(pickle(PROTO2, global('__main__', 'MLP'), STOP), [], []),
    'refused global __main__.MLP: the file is a whole model pickled with torch.save(model), not a state dict; save model.state_dict() instead, or export the model to ONNX (nothing in the file was run)');
});
