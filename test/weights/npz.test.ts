import { writeFile } from 'node:fs/promises';
import test from 'ava';
import { InputError } from '../../src/errors.js';
import { loadNpzWeights } from '../../src/weights/npz.js';
import { loadPickleWeights } from '../../src/weights/pickle.js';
import {
  SAMPLE_WEIGHT, asFloat32, digestOf, expectedArrays, weightFixture,
} from '../helpers/weight-fixtures.js';
import { needsData } from '../helpers/data-dir.js';

needsData(test);

const sampleArchives = ['sample.npz', 'sample-compressed.npz', 'sample-c.npz', 'sample-be-f64.npz', 'sample-versions.npz'];

for (const name of sampleArchives) {
  test(`${name} holds the sample network, bit for bit`, async (t) => {
    const arrays = await loadNpzWeights(await weightFixture(name));
    t.deepEqual([...arrays.keys()], ['b2', 'W1', 'b1', 'W2', 'W3', 'b3']);
    t.deepEqual(asFloat32(arrays), asFloat32(await loadPickleWeights(SAMPLE_WEIGHT)));
    const numpy = (await expectedArrays())[name];
    for (const [key, a] of arrays) t.deepEqual([a.dtype, a.shape, digestOf(a)], [numpy[key].dtype, numpy[key].shape, numpy[key].sha256], key);
  });
}

for (const name of ['mlp-relu.npz', 'mlp4.npz']) {
  test(`${name} matches numpy and its pickle twin`, async (t) => {
    const arrays = await loadNpzWeights(await weightFixture(name));
    const numpy = (await expectedArrays())[name];
    t.deepEqual([...arrays.keys()].sort(), Object.keys(numpy).sort());
    for (const [key, a] of arrays) t.is(digestOf(a), numpy[key].sha256, key);
    t.deepEqual(arrays, await loadPickleWeights(await weightFixture(name.replace('.npz', '.pkl'))));
  });
}

const broken: Array<[string, string]> = [
  ['huge.npz', 'W1 declares 40000000000 bytes (shape (100000, 100000), float32), over the limit of 2147483648 bytes'],
  ['short-data.npz', 'W1 has 20 data bytes, expected 24 for shape (3, 2) float32'],
  ['not-npy.npz', "entry 'readme.txt' is not a .npy array, expected an .npz of .npy files"],
  ['bad-header.npz', "W1 has a malformed .npy header, unexpected '<' at character 10"],
  ['nan.npz', 'b1 contains NaN at [0]'],
  ['int64.npz', "W1 has unsupported dtype int64 ('<i8'), expected float32 or float64"],
  ['corrupt.npz', "entry 'b2.npy' is corrupt, Invalid CRC"],
  ['bomb.npz', "entry 'W1.npy' is corrupt, Invalid CRC"],
  ['bomb-unknown-crc.npz', "entry 'W1.npy' inflates past its declared 4096 bytes"],
  ['sample-p3.pkl', 'not a readable .npz (zip) archive, Bad archive'],
  ['missing.npz', 'cannot read the weight file, no such file'],
];

for (const [name, problem] of broken) {
  test(`${name} is refused: ${problem}`, async (t) => {
    await t.throwsAsync(loadNpzWeights(await weightFixture(name)), { instanceOf: InputError, message: `${name}: ${problem}` });
  });
}

test('entries over maxBytes are refused by their declared sizes, before inflating', async (t) => {
  await t.throwsAsync(loadNpzWeights(await weightFixture('sample-compressed.npz'), { maxBytes: 10_000 }), {
    instanceOf: InputError,
    message: "sample-compressed.npz: entry 'W1.npy' takes the archive to 157456 bytes uncompressed, over the limit of 10000 bytes",
  });
});

test('an empty zip holds no arrays', async (t) => {
  const path = await weightFixture('empty-zip.npz');
  await writeFile(path, Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]));
  await t.throwsAsync(loadNpzWeights(path), { instanceOf: InputError, message: 'empty-zip.npz: the .npz archive holds no arrays' });
});
