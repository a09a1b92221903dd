/**
 * HDF5 bytes a Keras reader must refuse on one line naming the file: cut, flipped and patched
 * copies of the real ch03.h5 and ch03.weights.h5, an HDF5 of neither Keras layout, and the checks
 * of a dataset's declared size and type before its values are read.
 */
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { readKerasH5 } from '../../src/weights/keras/keras-h5.js';
import { DEFAULT_MAX_BYTES, type WeightLoadOptions } from '../../src/weights/decode-array.js';
import { walkHdf5 } from '../../src/weights/keras/hdf5-walk.js';
import { needsData } from '../helpers/data-dir.js';
import { offsetOf, patched, real, type Source } from './keras-fixtures.js';

needsData(test);

const refuses = async (t: ExecutionContext, source: Source, problem: string, options?: WeightLoadOptions): Promise<void> => {
  await t.throwsAsync(readKerasH5(source, options), { instanceOf: InputError, message: `${source.file}: ${problem}` });
};

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const u64 = (...values: number[]): Uint8Array => {
  const bytes = Buffer.alloc(8 * values.length);
  values.forEach((value, i) => bytes.writeBigUInt64LE(BigInt(value), 8 * i));
  return new Uint8Array(bytes);
};
/** The datatype message of a little-endian IEEE float32: class 1 version 1, sign bit 31, 4 bytes. */
const FLOAT32_TYPE = new Uint8Array([0x11, 0x20, 0x1f, 0x00, 4, 0, 0, 0]);

const h5 = () => real('ch03.h5');
const weightsH5 = () => real('ch03.weights.h5');

test('a legacy .h5 cut in half or after its header', async (t) => {
  await refuses(t, patched(h5(), 'half.h5', (b) => b.slice(0, b.length >> 1)),
    "HDF5 file is corrupt or truncated (reading 'model_weights/fc1/ch03_mlp/fc1/bias'): Offset is outside the bounds of the DataView");
  await refuses(t, patched(h5(), 'head.h5', (b) => b.slice(0, 3000)),
    "HDF5 file is corrupt or truncated (reading 'the superblock'): Offset is outside the bounds of the DataView");
  await refuses(t, patched(h5(), 'signature.h5', (b) => b.slice(0, 8)),
    "HDF5 file is corrupt or truncated (reading 'the superblock'): Offset is outside the bounds of the DataView");
});

test('a legacy .h5 with bytes flipped in its object headers', async (t) => {
  await refuses(t, patched(h5(), 'flipped.h5', (b) => {
    for (let i = 800; i < 1200; i++) b[i] ^= 0xff;
  }), "HDF5 file is corrupt or truncated (reading 'the superblock'): undefined is not iterable (cannot read property Symbol(Symbol.iterator))");
});

test('data bytes overwritten with NaN are found (HDF5 keeps no checksum of the data)', async (t) => {
  const bias = new Uint8Array(new Float32Array([-0.060239847749471664]).buffer); // fc3's b3[0]
  await refuses(t, patched(h5(), 'nan.h5', (b) => {
    b.fill(0xff, offsetOf(b, bias), offsetOf(b, bias) + 4);
  }), 'model_weights/fc3/ch03_mlp/fc3/bias contains NaN at [0]');
});

test('an HDF5 file of neither Keras layout says what its root holds', async (t) => {
  await refuses(t, patched(weightsH5(), 'neither.h5', (b) => {
    b.set(text('layerz'), offsetOf(b, text('layers\0')));
  }), "an HDF5 file that is neither a Keras model (no model_config attribute) nor Keras weights (no 'layers' group): it holds 'layerz', 'vars' at its root");
  await refuses(t, patched(h5(), 'not-hdf5.h5', (b) => b.fill(0, 0, 8)), 'HDF5 file does not start with the HDF5 signature \\x89HDF\\r\\n\\x1a\\n');
});

test('a huge declared shape is refused before anything is read', async (t) => {
  // The kernel's dataspace (784, 50) made (784000000, 50): the legacy file checks it against the layer…
  await refuses(t, patched(h5(), 'huge.h5', (b) => b.set(u64(784_000_000, 50), offsetOf(b, u64(784, 50)))),
    "layer 'fc1' (Dense): kernel model_weights/fc1/ch03_mlp/fc1/kernel has shape (784000000, 50), expected (784, 50)");
  // …and a weights-only file, without a model, against the file's size.
  await refuses(t, patched(weightsH5(), 'huge.weights.h5', (b) => b.set(u64(784_000_000, 50), offsetOf(b, u64(784, 50)))),
    'layers/dense/vars/0 declares 156800000000 bytes (shape (784000000, 50)), more than the 198152 bytes of the HDF5 file');
});

test('the byte budget is claimed before a dataset is read', async (t) => {
  await refuses(t, h5(), 'model_weights/fc1/ch03_mlp/fc1/kernel declares 156800 bytes (shape (784, 50), float32), over the limit of 100000 bytes', { maxBytes: 100_000 });
  await refuses(t, weightsH5(), 'layers/dense/vars/0 declares 156800 bytes (shape (784, 50), float32), over the limit of 100000 bytes', { maxBytes: 100_000 });
});

test('a kernel stored as integers is refused by its dtype', async (t) => {
  await refuses(t, patched(h5(), 'int.h5', (b) => {
    b[offsetOf(b, FLOAT32_TYPE)] = 0x10; // class 0: a 4-byte unsigned integer
  }), "layer 'fc1' (Dense): kernel model_weights/fc1/ch03_mlp/fc1/kernel has dtype '<u4', expected float16, float32 or float64");
});

test('weight_names naming a dataset the file lacks', async (t) => {
  await refuses(t, patched(h5(), 'names.h5', (b) => b.set(text('ch03_mlp/fc1/kernex'), offsetOf(b, text('ch03_mlp/fc1/kernel')))),
    "weight_names of model_weights/fc1 lists 'ch03_mlp/fc1/kernex', which is not a dataset of the file");
});

test('two vars groups named after one layer', async (t) => {
  await refuses(t, patched(weightsH5(), 'twice.weights.h5', (b) => b.set(text('fc1'), offsetOf(b, text('fc2\0')))), "the file holds 'fc1/vars/0' twice");
});

test('random edits of the headers end in the arrays or one InputError, never another error', async (t) => {
  let seed = 20261201;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const endsWell = async (read: () => unknown, what: string, file: string) => {
    try {
      await read();
    } catch (error) {
      if (!(error instanceof InputError)) t.fail(`${what}: ${String(error)}`);
      else t.true(error.message.startsWith(`${file}: `));
    }
  };
  for (const source of [h5(), weightsH5()]) {
    for (let i = 0; i < 150; i++) {
      const bytes = source.bytes.slice();
      for (let k = 1 + Math.floor(random() * 8); k > 0; k--) bytes[Math.floor(random() * 6000)] = Math.floor(random() * 256);
      // Every edit through the walk the reader's thread makes (in this thread: a thread takes a
      // moment to start under tsx), every tenth through the whole reader and its thread.
      await endsWell(() => walkHdf5({ bytes, file: source.file, what: 'HDF5 file', maxBytes: DEFAULT_MAX_BYTES }), `edit ${i} of ${source.file}, walked`, source.file);
      if (i % 10 === 0) await endsWell(() => readKerasH5({ ...source, bytes }), `edit ${i} of ${source.file}`, source.file);
    }
  }
  t.pass();
});
