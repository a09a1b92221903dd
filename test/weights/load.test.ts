import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { InputError } from '../../src/errors.js';
import { loadWeights } from '../../src/weights/load.js';
import { loadPickleWeights } from '../../src/weights/pickle.js';
import { SAMPLE_WEIGHT, asFloat32, weightFixture, weightFixtures } from '../helpers/weight-fixtures.js';
import { needsData } from '../helpers/data-dir.js';

needsData(test);

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

test('sample_weight.pkl loads as a pickle with the sha256 its README gives', async (t) => {
  const started = performance.now();
  const { arrays, sha256: digest, format } = await loadWeights(SAMPLE_WEIGHT);
  t.log(`sample_weight.pkl loaded in ${(performance.now() - started).toFixed(1)} ms`);
  t.is(format, 'pickle');
  t.is(digest, 'b7f55a27988ba34c3777b0f1bbd464817c8a4db855723e6ff26f703501917a13');
  t.deepEqual([...arrays.keys()], ['b2', 'W1', 'b1', 'W2', 'W3', 'b3']);
});

test('an .npz loads as npz with the sha256 of the archive file', async (t) => {
  const path = await weightFixture('sample-compressed.npz');
  const loaded = await loadWeights(path);
  t.is(loaded.format, 'npz');
  t.is(loaded.sha256, await sha256(path));
  t.deepEqual(asFloat32(loaded.arrays), asFloat32(await loadPickleWeights(SAMPLE_WEIGHT)));
});

test('the first bytes decide the format, whatever the extension', async (t) => {
  const dir = join(await weightFixtures(), 'renamed');
  await mkdir(dir, { recursive: true });
  await copyFile(await weightFixture('tiny.pkl'), join(dir, 'tiny.bin'));
  await copyFile(await weightFixture('mlp-relu.npz'), join(dir, 'mlp-relu.pkl'));
  t.is((await loadWeights(join(dir, 'tiny.bin'))).format, 'pickle');
  t.is((await loadWeights(join(dir, 'mlp-relu.pkl'))).format, 'npz');
});

test('a refused pickle stays refused through loadWeights', async (t) => {
  await t.throwsAsync(loadWeights(await weightFixture('evil-os-system.pkl')), {
    instanceOf: InputError,
    message: 'evil-os-system.pkl: refused to load global os.system (only numpy array globals are allowed)',
  });
});

const unreadable: Array<[string, (dir: string) => Promise<string>, string]> = [
  ['a missing file', async (dir) => join(dir, 'missing.pkl'), 'missing.pkl: cannot read the weight file, no such file'],
  ['a directory', async (dir) => dir, 'is a directory, expected a weight file'],
  ['an empty file', async (dir) => join(dir, 'empty.pkl'), 'empty.pkl: empty file, expected a weight file'],
  ['a single .npy', async (dir) => join(dir, 'single.npy'), 'single.npy: not a weight file this tool reads: a single .npy array (save a dict of arrays with np.savez); expected a pickle or .npz of numpy arrays, a PyTorch state dict, safetensors, ONNX, .keras or Keras .h5'],
  ['text named .pkl', async (dir) => join(dir, 'not-a-pickle.pkl'), 'not-a-pickle.pkl: not a weight file this tool reads: text starting "W1,b1,W2\\n0.1,0.2,0.3\\n"; expected a pickle or .npz of numpy arrays, a PyTorch state dict, safetensors, ONNX, .keras or Keras .h5'],
  ['text named .npz', async (dir) => {
    await writeFile(join(dir, 'text.npz'), 'W1,b1\n');
    return join(dir, 'text.npz');
  }, 'text.npz: not a weight file this tool reads: text starting "W1,b1\\n"; expected a pickle or .npz of numpy arrays, a PyTorch state dict, safetensors, ONNX, .keras or Keras .h5'],
  ['text named .csv', async (dir) => {
    await writeFile(join(dir, 'weights.csv'), 'W1,b1\n');
    return join(dir, 'weights.csv');
  }, 'weights.csv: not a weight file this tool reads: text starting "W1,b1\\n"; expected a pickle or .npz of numpy arrays, a PyTorch state dict, safetensors, ONNX, .keras or Keras .h5'],
];

for (const [what, make, message] of unreadable) {
  test(`${what} is an InputError`, async (t) => {
    const error = await t.throwsAsync(loadWeights(await make(await weightFixtures())), { instanceOf: InputError });
    t.true(error?.message.endsWith(message), error?.message);
  });
}

test('a file over maxBytes is refused before it is read', async (t) => {
  await t.throwsAsync(loadWeights(SAMPLE_WEIGHT, { maxBytes: 1000 }), {
    instanceOf: InputError, message: 'sample_weight.pkl: the file is 181853 bytes, over the limit of 1000 bytes',
  });
});
