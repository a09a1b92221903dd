/**
 * A closed standard output through the real CLI and a real shell pipe: `mnist-eval | head -1` and
 * `mnist-eval --json | true` end quietly with exit 0 (as `cat` does), with no EPIPE stack on stderr,
 * and the output files are complete: they are committed before anything is printed.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';
import { DATA_DIR, needsData } from '../helpers/data-dir.js';

needsData(test);

/** `bash -o pipefail -c 'node BIN ARGS | READER'` (or `node BIN ARGS REDIRECT`): the exit status is mnist-eval's, not the reader's. */
function pipeInto(args: readonly string[], reader: string, cwd: string, redirect = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', redirect ? `${quoted} ${redirect}` : `${quoted} | ${reader}`], { cwd, env: { ...process.env, MNIST_EVAL_DATA_DIR: DATA_DIR }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `node BIN ARGS > /dev/full`: every write to stdout fails with ENOSPC. */
const intoFullDisk = (args: readonly string[], cwd: string) => pipeInto(args, 'true', cwd, '> /dev/full');

for (const [args, reader, expected] of [
  [['--limit', '10'], 'head -1', 'accuracy 0.9000 (9 of 10 correct, 1 misclassified)\n'],
  [['--limit', '10', '--json'], 'true', ''],
] as const) {
  test(`mnist-eval ${args.join(' ')} | ${reader}: exit 0, nothing on stderr, the outputs complete`, async (t) => {
    const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-pipe-'));
    const run = await pipeInto([...args, '--quiet', '--predictions', 'out/p.csv'], reader, cwd);
    t.is(run.code, 0, run.stderr);
    t.is(run.stderr, '');
    t.is(run.stdout, expected);
    t.deepEqual((await readdir(join(cwd, 'out'))).filter((name) => !name.endsWith('.json') || name === 'report.json').sort(), ['errors.png', 'p.csv', 'report.json']);
    t.is(JSON.parse(await readFile(join(cwd, 'out/report.json'), 'utf8')).total, 10);
    t.is((await readFile(join(cwd, 'out/p.csv'), 'utf8')).trim().split('\n').length, 11, 'the header and 10 rows');
  });
}

test('any other error on standard output (a full disk: > /dev/full) is one line on stderr and exit 1', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-pipe-'));
  const direct = await intoFullDisk(['--limit', '10', '--quiet'], cwd);
  t.is(direct.code, 1);
  t.is(direct.stderr, 'mnist-eval: standard output: ENOSPC: no space left on device, write\n');
});

test('--help and merge --help into a closed pipe exit 0 quietly; --version into a full disk exits 1 with one line', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-pipe-'));
  for (const args of [['--help'], ['merge', '--help']]) {
    const run = await pipeInto(args, 'true', cwd);
    t.is(run.code, 0, run.stderr);
    t.is(run.stderr, '');
  }
  const full = await intoFullDisk(['--version'], cwd);
  t.is(full.code, 1);
  t.is(full.stderr, 'mnist-eval: standard output: ENOSPC: no space left on device, write\n');
});
