/**
 * The real Keras files of formats/ (Keras 3.15.1): the spec each describes, and exactly the book's
 * arrays back (sample_weight.pkl; simple_convnet_params.pkl cast to float32, as make_formats.py
 * did), which checks both channels-last reorderings end to end: the conv kernel HWIO → OIHW and
 * the Flatten'd Dense rows (h, w, c) → (c, h, w).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import test from 'ava';
import type { ModelSpec } from '../../src/model/model-spec.js';
import { openHdf5 } from '../../src/weights/keras/hdf5.js';
import { readKerasArchive } from '../../src/weights/keras/keras-archive.js';
import { isHdf5, readKerasH5 } from '../../src/weights/keras/keras-h5.js';
import { createByteBudget } from '../../src/weights/decode-array.js';
import type { NdArray, WeightArrays } from '../../src/weights/nd-array.js';
import { parsePickleWeights } from '../../src/weights/pickle.js';
import { FORMATS_DIR, needsData, SAMPLE_WEIGHT, SIMPLE_CONVNET } from '../helpers/data-dir.js';
import { real, zipEntries } from './keras-fixtures.js';

needsData(test);

const book = (path: string): WeightArrays => parsePickleWeights(new Uint8Array(readFileSync(path)), 'book.pkl');

/** The book's array as float32 (the ch07 params were cast from float64 before Keras saved them). */
const f32 = (array: NdArray | undefined): NdArray => ({ shape: [...array!.shape], dtype: 'float32', data: Float32Array.from(array!.data) });

const digest = (data: Float32Array | Float64Array): string =>
  createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');

const CH03_SPEC: ModelSpec = {
  name: 'ch03_mlp',
  input: [784],
  layers: [
    { type: 'affine', W: 'fc1/kernel', b: 'fc1/bias' }, { type: 'sigmoid' },
    { type: 'affine', W: 'fc2/kernel', b: 'fc2/bias' }, { type: 'sigmoid' },
    { type: 'affine', W: 'fc3/kernel', b: 'fc3/bias' }, { type: 'softmax' },
  ],
};

const ch03Arrays = (): WeightArrays => {
  const b = book(SAMPLE_WEIGHT);
  return new Map([
    ['fc1/kernel', f32(b.get('W1'))], ['fc1/bias', f32(b.get('b1'))],
    ['fc2/kernel', f32(b.get('W2'))], ['fc2/bias', f32(b.get('b2'))],
    ['fc3/kernel', f32(b.get('W3'))], ['fc3/bias', f32(b.get('b3'))],
  ]);
};

test('ch03.keras: the Sequential MLP and exactly the book\'s arrays', async (t) => {
  const weights = await readKerasArchive(real('ch03.keras'));
  t.is(weights.format, 'keras');
  t.deepEqual(weights.spec, CH03_SPEC);
  t.is(weights.matrices, 'in-out');
  t.deepEqual(weights.metadata, { keras_version: '3.15.1', date_saved: '2024-06-01@00:00:00', model: 'ch03_mlp' });
  t.deepEqual(weights.arrays, ch03Arrays());
});

test('ch07.keras: the channels-last convnet as C × H × W, with exactly the book\'s (float32) arrays', async (t) => {
  const weights = await readKerasArchive(real('ch07.keras'));
  t.is(weights.format, 'keras');
  t.deepEqual(weights.spec, {
    name: 'ch07_simple_convnet',
    input: [1, 28, 28],
    layers: [
      { type: 'convolution', W: 'conv1/kernel', b: 'conv1/bias', stride: 1, pad: 0 }, { type: 'relu' },
      { type: 'pooling', mode: 'max', size: 2, stride: 2 }, { type: 'flatten' },
      { type: 'affine', W: 'fc1/kernel', b: 'fc1/bias' }, { type: 'relu' },
      { type: 'affine', W: 'fc2/kernel', b: 'fc2/bias' }, { type: 'softmax' },
    ],
  });
  const b = book(SIMPLE_CONVNET);
  t.deepEqual(weights.arrays, new Map([
    ['conv1/kernel', f32(b.get('W1'))], ['conv1/bias', f32(b.get('b1'))],
    ['fc1/kernel', f32(b.get('W2'))], ['fc1/bias', f32(b.get('b2'))],
    ['fc2/kernel', f32(b.get('W3'))], ['fc2/bias', f32(b.get('b3'))],
  ]));
  t.deepEqual(weights.metadata, { keras_version: '3.15.1', date_saved: '2024-06-01@00:00:00', model: 'ch07_simple_convnet' });
});

test('ch07.keras stores the book\'s arrays as its README says (digests computed with numpy)', async (t) => {
  // python3: sha256(W1.astype('<f4').transpose(2,3,1,0)) and
  // sha256(W2.astype('<f4').reshape(30,12,12,100).transpose(1,2,0,3).reshape(4320,100)), C order.
  const h5 = await openHdf5(zipEntries(`${FORMATS_DIR}/ch07.keras`).get('model.weights.h5')!, 'ch07.keras', 'model.weights.h5');
  const read = (group: string) => h5.readFloat(h5.root.group('layers')!.group(group)!.group('vars')!.dataset('0')!, group, createByteBudget('ch07.keras'));
  t.is(digest(read('conv2d').data), 'be26f56f03be223b4387c22631e3337b3c4e09354ba3d0b1f55a481b99eb257d');
  t.is(digest(read('dense').data), 'c1efe7b2382def959c567a794eb7d1291bcf49a437524c1a90413905223c03e4');
});

test('ch03.h5: the legacy file\'s model_config and weights in weight_names order', async (t) => {
  const weights = await readKerasH5(real('ch03.h5'));
  t.is(weights.format, 'keras-h5');
  t.deepEqual(weights.spec, CH03_SPEC);
  t.deepEqual(weights.metadata, { keras_version: '3.15.1', backend: 'torch', model: 'ch03_mlp' });
  t.deepEqual(weights.arrays, ch03Arrays());
});

test('ch03.weights.h5: no spec, the arrays in layer then vars order, named after the layers', async (t) => {
  const weights = await readKerasH5(real('ch03.weights.h5'));
  t.is(weights.format, 'keras-weights-h5');
  t.is(weights.spec, undefined);
  t.is(weights.matrices, 'in-out');
  t.deepEqual(weights.metadata, { model: 'ch03_mlp' });
  const expected = [...ch03Arrays().values()];
  t.deepEqual(weights.arrays, new Map(['fc1/vars/0', 'fc1/vars/1', 'fc2/vars/0', 'fc2/vars/1', 'fc3/vars/0', 'fc3/vars/1'].map((name, i) => [name, expected[i]])));
});

test('isHdf5 tells the HDF5 signature', (t) => {
  t.true(isHdf5(real('ch03.h5').bytes));
  t.true(isHdf5(real('ch03.weights.h5').bytes));
  t.false(isHdf5(real('ch03.keras').bytes));
  t.false(isHdf5(new Uint8Array([0x89, 0x48, 0x44, 0x46])));
});
