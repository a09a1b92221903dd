/**
 * ONNX external data: read from a file inside the model's folder, at its offset and length, and
 * refused when its location is absolute, goes up a folder, resolves outside (a symlink), is not a
 * regular file, or its offset and length fall outside the file; a model read from a pipe has none.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { readOnnx } from '../../src/weights/onnx/read-onnx.js';
import { MLP_INITIALIZERS, f32, model, tensor } from './onnx-builder.js';

const W1 = Array.from({ length: 12 }, (_, i) => i / 4 - 1);
/** weights.bin: 16 bytes of something else, then W1's 48 bytes. */
const DATA = new Uint8Array([...new Uint8Array(16).fill(0xee), ...f32(W1)]);

const root = mkdtempSync(join(tmpdir(), 'onnx-external-'));
const folder = join(root, 'model');
mkdirSync(join(folder, 'data'), { recursive: true });
mkdirSync(join(root, 'elsewhere'));
writeFileSync(join(folder, 'weights.bin'), DATA);
writeFileSync(join(folder, 'data', 'w.bin'), DATA);
writeFileSync(join(root, 'elsewhere', 'secret.bin'), DATA);
symlinkSync(join(root, 'elsewhere', 'secret.bin'), join(folder, 'link.bin'));
symlinkSync(join(root, 'elsewhere'), join(folder, 'out'));
symlinkSync(join(folder, 'weights.bin'), join(folder, 'inside.bin'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A model whose W1 lives in external data with these entries, written to the folder. */
function modelWith(entries: Record<string, string>, extra: Record<string, unknown> = {}): string {
  const W1tensor = { ...tensor('W1', [3, 4], { raw_data: undefined }), data_location: 1, external_data: Object.entries(entries).map(([key, value]) => ({ key, value })), ...extra };
  const path = join(folder, `m${count++}.onnx`);
  writeFileSync(path, model({ initializers: [W1tensor, ...MLP_INITIALIZERS.slice(1)] }));
  return path;
}

const readPath = async (path: string, maxBytes?: number) => {
  const { readFile } = await import('node:fs/promises');
  return readOnnx({ bytes: await readFile(path), path, file: 'm.onnx' }, maxBytes === undefined ? {} : { maxBytes });
};

const refuses = async (t: ExecutionContext, entries: Record<string, string>, problem: string, extra?: Record<string, unknown>): Promise<void> => {
  await t.throwsAsync(readPath(modelWith(entries, extra)), { instanceOf: InputError, message: `m.onnx: initializer 'W1': ${problem}` });
};

test('external data at an offset of a file in the model\'s folder, or in a folder below it, or through a link that stays inside', async (t) => {
  for (const location of ['weights.bin', 'data/w.bin', './data/w.bin', 'inside.bin']) {
    const weights = await readPath(modelWith({ location, offset: '16', length: '48' }));
    t.deepEqual(Array.from(weights.arrays.get('W1')!.data), W1.map(Math.fround), location);
  }
  // Without a length: the rest of the file.
  const rest = await readPath(modelWith({ location: 'weights.bin', offset: '16' }));
  t.deepEqual(Array.from(rest.arrays.get('W1')!.data), W1.map(Math.fround));
});

test('a location that goes up, is absolute or leads out through a symlink is refused', async (t) => {
  await refuses(t, { location: '../elsewhere/secret.bin' }, "external data '../elsewhere/secret.bin' goes up a folder (..), expected a file in the model's folder");
  await refuses(t, { location: 'data/../../x' }, "external data 'data/../../x' goes up a folder (..), expected a file in the model's folder");
  await refuses(t, { location: '..\\x' }, "external data '..\\\\x' goes up a folder (..), expected a file in the model's folder");
  await refuses(t, { location: '/etc/passwd' }, "external data '/etc/passwd' is an absolute path, expected a file name in the model's folder");
  await refuses(t, { location: 'C:\\weights.bin' }, "external data 'C:\\\\weights.bin' is an absolute path, expected a file name in the model's folder");
  const secret = realpathSync(join(root, 'elsewhere', 'secret.bin'));
  const inside = realpathSync(folder);
  await refuses(t, { location: 'link.bin', offset: '16' }, `external data 'link.bin' resolves to '${secret}', outside the model's folder '${inside}'`);
  await refuses(t, { location: 'out/secret.bin', offset: '16' }, `external data 'out/secret.bin' resolves to '${secret}', outside the model's folder '${inside}'`);
});

test('a folder, a missing file, offsets and lengths outside the file and a length that does not fit the dims are refused', async (t) => {
  await refuses(t, { location: 'data' }, "external data 'data' is not a regular file");
  await refuses(t, { location: 'missing.bin' }, "external data 'missing.bin' does not exist");
  await refuses(t, { location: 'weights.bin', offset: '1000' }, "external data 'weights.bin' has offset 1000, past the end of its 64 bytes");
  await refuses(t, { location: 'weights.bin', offset: '16', length: '100' }, "external data 'weights.bin' has offset 16 and length 100, past the end of its 64 bytes");
  await refuses(t, { location: 'weights.bin', offset: '20', length: '44' }, "external data 'weights.bin' holds 44 bytes at offset 20, expected 48 for shape [3, 4]");
  await refuses(t, { location: 'weights.bin' }, "external data 'weights.bin' holds 64 bytes at offset 0, expected 48 for shape [3, 4]");
  await refuses(t, { location: 'weights.bin', offset: '-1' }, "external data 'weights.bin' has offset '-1', expected a whole number of bytes");
  await refuses(t, { location: 'weights.bin', offset: '99999999999999999999' }, "external data 'weights.bin' has offset '99999999999999999999', expected a whole number of bytes");
  await refuses(t, { offset: '16' }, "external data '' has no location, expected a file name in the model's folder");
  await t.throwsAsync(readPath(modelWith({ location: 'weights.bin', offset: '16' }, { raw_data: f32(W1) })), {
    instanceOf: InputError,
    message: 'm.onnx: initializer 1: data_location is EXTERNAL but the tensor also holds data',
  });
});

test('the external bytes are claimed from the budget before the file is even looked for', async (t) => {
  await t.throwsAsync(readPath(modelWith({ location: 'missing.bin' }), 40), {
    instanceOf: InputError,
    message: "m.onnx: initializer 'W1' declares 48 bytes (shape (3, 4), float32), over the limit of 40 bytes",
  });
});

test('a model read from a pipe or a device cannot have external data', async (t) => {
  const bytes = model({ initializers: [{ ...tensor('W1', [3, 4], { raw_data: undefined }), data_location: 1, external_data: [{ key: 'location', value: 'weights.bin' }] }, ...MLP_INITIALIZERS.slice(1)] });
  await t.throwsAsync(readOnnx({ bytes, path: '/dev/null', file: 'm.onnx' }), {
    instanceOf: InputError,
    message: "m.onnx: initializer 'W1': external data 'weights.bin' cannot be read for a model read from a pipe or a device (there is no folder beside it); name the model file",
  });
});
