/**
 * The tests' data folder (test/helpers/data-dir.ts), each case in a fresh Node process with its
 * own environment and working folder: MNIST_EVAL_DATA_DIR first, else the shared data folder beside the
 * project wherever the tests run from, and one line naming the variable when the data are missing.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DATA_DIR, DEFAULT_DATA_DIR, ROOT } from './data-dir.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const HELPER = pathToFileURL(join(ROOT, 'test/helpers/data-dir.ts')).href;

interface Said {
  readonly dir: string;
  readonly missing: string | null;
  readonly stderr: string;
}

/**
 * What data-dir.ts says in `count` processes started one after the other in `cwd` with `env`,
 * all children of one fresh parent (as ava's test files are of ava): its folder, its verdict and
 * what it wrote on stderr.
 */
async function helperIn(cwd: string, env: Record<string, string | undefined>, count = 1): Promise<Said[]> {
  const { MNIST_EVAL_DATA_DIR, ...rest } = process.env;
  void MNIST_EVAL_DATA_DIR;
  const child = `const m = await import(${JSON.stringify(HELPER)}); console.log(JSON.stringify({ dir: m.DATA_DIR, missing: m.dataMissing ?? null }));`;
  const parent = `
    import { spawnSync } from 'node:child_process';
    const said = [];
    for (let i = 0; i < ${count}; i++) {
      const run = spawnSync(process.execPath, ['--import', ${JSON.stringify(TSX)}, '--input-type=module', '-e', ${JSON.stringify(child)}], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(run.stderr);
      said.push({ ...JSON.parse(run.stdout), stderr: run.stderr });
    }
    console.log(JSON.stringify(said));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', parent], { cwd, env: { ...rest, ...env } });
  return JSON.parse(stdout) as Said[];
}

const scratch = () => mkdtemp(join(tmpdir(), 'mnist-eval-data-dir-'));

test('MNIST_EVAL_DATA_DIR names the folder, a relative one from the working folder', async (t) => {
  t.like((await helperIn(await scratch(), { MNIST_EVAL_DATA_DIR: DATA_DIR }))[0], { dir: DATA_DIR });
  const cwd = await scratch();
  t.like((await helperIn(cwd, { MNIST_EVAL_DATA_DIR: 'some/data' }))[0], { dir: resolve(cwd, 'some/data') });
});

test('without it, the shared data folder beside the project, wherever the tests run from', async (t) => {
  const expected = DEFAULT_DATA_DIR;
  t.like((await helperIn(await scratch(), {}))[0], { dir: expected });
  t.like((await helperIn(ROOT, { MNIST_EVAL_DATA_DIR: '' }))[0], { dir: expected });
});

test('a folder that does not exist: one line naming MNIST_EVAL_DATA_DIR, said on stderr too', async (t) => {
  const nowhere = join(await scratch(), 'nowhere');
  const [{ missing, stderr }] = await helperIn(await scratch(), { MNIST_EVAL_DATA_DIR: nowhere });
  t.is(missing, `no test data: ${nowhere} (MNIST_EVAL_DATA_DIR) does not exist; set MNIST_EVAL_DATA_DIR to the folder of sample_weight.pkl, simple_convnet_params.pkl and t10k-*-ubyte.gz`);
  t.is(stderr, `${missing}\n`);
});

test('a folder without some of the files names the ones it lacks', async (t) => {
  const dir = await scratch();
  await mkdir(join(dir, 'data'));
  await writeFile(join(dir, 'data', 'sample_weight.pkl'), '');
  const [{ missing }] = await helperIn(dir, { MNIST_EVAL_DATA_DIR: 'data' });
  t.is(missing, `no test data: ${join(dir, 'data')} (MNIST_EVAL_DATA_DIR) lacks simple_convnet_params.pkl, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; set MNIST_EVAL_DATA_DIR to the folder that holds them`);
});

test('where the data come from is said once per run: by the first test process, not by the next', async (t) => {
  const data = await scratch();
  for (const name of ['sample_weight.pkl', 'simple_convnet_params.pkl', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) await writeFile(join(data, name), '');
  const said = await helperIn(await scratch(), { MNIST_EVAL_DATA_DIR: data }, 3);
  t.deepEqual(said.map((s) => [s.missing, s.stderr]), [[null, `test data: ${data} (from MNIST_EVAL_DATA_DIR)\n`], [null, ''], [null, '']]);
});
