import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { dataDirs, packageDataDir, sampleWeights, SAMPLE_WEIGHTS_SOURCE } from '../../src/datasets/data-files.js';
import { DATA_DIR, SAMPLE_WEIGHT, withData } from '../helpers/data-dir.js';

const noEnv = {} as NodeJS.ProcessEnv;
const emptyDataDir = () => mkdtemp(join(tmpdir(), 'mnist-eval-data-'));
const whereFor = (dir: string) =>
  `put the file (sha256 ${SAMPLE_WEIGHTS_SOURCE.sha256}) at ${join(dir, 'sample_weight.pkl')} or in the folder named by MNIST_EVAL_DATA_DIR`;

test('MNIST_EVAL_DATA_DIR is searched before data/', (t) => {
  t.deepEqual(dataDirs({ MNIST_EVAL_DATA_DIR: '/somewhere' }), ['/somewhere', packageDataDir]);
  t.deepEqual(dataDirs(noEnv), [packageDataDir]);
});

test('a weight file found in MNIST_EVAL_DATA_DIR is used without any download', withData(async (t) => {
  const fetchImpl = (() => t.fail('no download expected')) as unknown as typeof fetch;
  t.is(await sampleWeights({ env: { MNIST_EVAL_DATA_DIR: DATA_DIR }, fetchImpl, log: () => {} }), SAMPLE_WEIGHT);
}));

test('offline, the missing weights fail with where to put them, and nothing is written', async (t) => {
  const dataDir = await emptyDataDir();
  const lines: string[] = [];
  const fetchImpl = (async () => { throw new Error('fetch failed'); }) as unknown as typeof fetch;
  await t.throwsAsync(sampleWeights({ env: noEnv, dataDir, fetchImpl, log: (line) => lines.push(line) }), {
    instanceOf: InputError,
    message: `sample_weight.pkl: missing and could not be downloaded (fetch failed); ${whereFor(dataDir)}`,
  });
  t.deepEqual(lines, [`downloading sample_weight.pkl (181853 bytes) from ${SAMPLE_WEIGHTS_SOURCE.url}`]);
  t.false(existsSync(join(dataDir, 'sample_weight.pkl')));
});

test('a download with the wrong sha256 is refused and not saved', async (t) => {
  const dataDir = await emptyDataDir();
  const fetchImpl = (async () => new Response(new Uint8Array([1, 2, 3]))) as unknown as typeof fetch;
  await t.throwsAsync(sampleWeights({ env: noEnv, dataDir, fetchImpl, log: () => {} }), {
    instanceOf: InputError,
    message: `sample_weight.pkl: downloaded file has sha256 039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81, expected ${SAMPLE_WEIGHTS_SOURCE.sha256}; ${whereFor(dataDir)}`,
  });
  t.false(existsSync(join(dataDir, 'sample_weight.pkl')));
});

test('a download with the pinned sha256 is saved into the data folder and used', withData(async (t) => {
  const dataDir = await emptyDataDir();
  const bytes = readFileSync(SAMPLE_WEIGHT);
  const fetchImpl = (async (url: string) => {
    t.is(url, SAMPLE_WEIGHTS_SOURCE.url);
    return new Response(bytes);
  }) as unknown as typeof fetch;
  const path = await sampleWeights({ env: noEnv, dataDir, fetchImpl, log: () => {} });
  t.is(path, join(dataDir, 'sample_weight.pkl'));
  t.is(createHash('sha256').update(await readFile(path)).digest('hex'), SAMPLE_WEIGHTS_SOURCE.sha256);
}));
