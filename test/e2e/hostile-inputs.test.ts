/**
 * The input side through the real CLI: data from pipes (a FIFO, `/dev/fd/N` from bash's `<(…)`,
 * standard input as `-` and as `/dev/stdin`) reads exactly like the file, and inputs built to
 * exhaust memory or the stack fail fast with one line naming the file and the limit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { BIN, mnistEval, type Run } from '../helpers/cli.js';
import { DATA_DIR, IMAGES_GZ, LABELS_GZ, needsData } from '../helpers/data-dir.js';
import { idxBytes, REAL_IMAGES_RAW } from '../helpers/idx-fixtures.js';
import { overlappingZip } from '../sources/zip-builder.js';
import { encodeBomb } from '../weights/pickle-builder.js';

needsData(test);

const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-hostile-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

/** What the book's sample network scores on the first 1,000 test images, read from the file. */
const FIRST_1000 = { accuracy: 0.932, correct: 932, total: 1000 };
const RUN = ['--labels', LABELS_GZ, '--limit', '1000', '--json', '--quiet'];

const reportOf = (run: Run): unknown => {
  const { accuracy, correct, total } = JSON.parse(run.stdout) as typeof FIRST_1000;
  return { code: run.code, stderr: run.stderr, report: { accuracy, correct, total } };
};
const expected = { code: 0, stderr: '', report: FIRST_1000 };

test('the images file itself gives the reference numbers', async (t) => {
  t.deepEqual(reportOf(await mnistEval(['--images', IMAGES_GZ, ...RUN])), expected);
});

test('images from a FIFO (raw IDX) read like the file: the header peek loses no bytes', async (t) => {
  const fifo = join(dir, 'images.fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', REAL_IMAGES_RAW, fifo], { stdio: 'ignore' });
  try {
    t.deepEqual(reportOf(await mnistEval(['--images', fifo, ...RUN])), expected);
  } finally {
    writer.kill();
  }
});

/** Runs `script` in bash, with `$0` the node binary, `$1` the CLI, then `args`, as a user's shell would. */
function bash(script: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, process.execPath, BIN, ...args], {
      cwd: dir, env: { ...process.env, MNIST_EVAL_DATA_DIR: DATA_DIR }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test('images from /dev/fd/N (bash\'s <(cat images.gz)) read like the file', async (t) => {
  t.deepEqual(reportOf(await bash('exec "$0" "$1" --images <(cat "$2") "${@:3}"', IMAGES_GZ, ...RUN)), expected);
});

test('images from standard input, as - and as /dev/stdin, a pipe or a socket, gzip or raw, read like the file', async (t) => {
  // A shell pipe, as a user types it.
  t.deepEqual(reportOf(await bash('cat "$2" | "$0" "$1" --images - "${@:3}"', IMAGES_GZ, ...RUN)), expected);
  t.deepEqual(reportOf(await bash('cat "$2" | "$0" "$1" --images /dev/stdin "${@:3}"', REAL_IMAGES_RAW, ...RUN)), expected);
  // A socket, as Node's child_process gives it: /dev/stdin cannot be opened again, and is not.
  t.deepEqual(reportOf(await mnistEval(['--images', '-', ...RUN], { stdin: readFileSync(IMAGES_GZ) })), expected);
  t.deepEqual(reportOf(await mnistEval(['--images', '/dev/stdin', ...RUN], { stdin: readFileSync(REAL_IMAGES_RAW) })), expected);
});

/** The run's exit code and stderr, with the images of the test set and `args`. */
const failure = async (args: string[]): Promise<{ code: number | null; stderr: string }> => {
  const run = await mnistEval(['--images', IMAGES_GZ, '--labels', LABELS_GZ, '--limit', '100', '--quiet', ...args], { cwd: dir });
  return { code: run.code, stderr: run.stderr };
};

test('--weights /dev/zero, or an endless pipe on /dev/stdin, is refused once past --max-weights-mib', async (t) => {
  t.deepEqual(await failure(['--weights', '/dev/zero', '--max-weights-mib', '16']), {
    code: 1, stderr: 'mnist-eval: /dev/zero: more than 16 MiB, the weights limit (--max-weights-mib)\n',
  });
  const run = await bash('cat /dev/zero | "$0" "$1" --weights /dev/stdin --max-weights-mib 16 "${@:2}"', '--images', IMAGES_GZ, '--labels', LABELS_GZ, '--limit', '100', '--quiet');
  t.deepEqual({ code: run.code, stderr: run.stderr }, {
    code: 1, stderr: 'mnist-eval: /dev/stdin: more than 16 MiB, the weights limit (--max-weights-mib)\n',
  });
});

test('a 96 KB pickle that turns one string into bytes 2,000 times is refused at --max-weights-mib', async (t) => {
  writeFileSync(join(dir, 'bomb.pkl'), encodeBomb(2000));
  t.deepEqual(await failure(['--weights', 'bomb.pkl', '--max-weights-mib', '16']), {
    code: 1, stderr: `mnist-eval: bomb.pkl: unpickling takes more than the limit of ${16 * 2 ** 20} bytes (strings, bytes and arrays made by byte ${65563 + 254 * 15 + 14})\n`,
  });
});

test('a model JSON nested 500,000 levels deep is one line, not a stack overflow', async (t) => {
  writeFileSync(join(dir, 'deep.json'), `{"layers": ${'['.repeat(500_000)}${']'.repeat(500_000)}}`);
  t.deepEqual(await failure(['--model', 'deep.json']), {
    code: 1, stderr: 'mnist-eval: deep.json: nested more than 32 levels deep at character 42, deeper than any model\n',
  });
});

test('a header of 16384x16384 images is refused at the header', async (t) => {
  writeFileSync(join(dir, 'huge-images.idx'), idxBytes([100, 16384, 16384], []));
  const run = await mnistEval(['--images', 'huge-images.idx', '--labels', LABELS_GZ, '--quiet'], { cwd: dir });
  t.deepEqual({ code: run.code, stderr: run.stderr }, {
    code: 1, stderr: 'mnist-eval: huge-images.idx: IDX header declares images of 16384x16384 pixels (268435456 bytes each), over the limit of 16777216 bytes (4096x4096)\n',
  });
});

test('a zip of 900 entries all pointing at one 64 MiB chunk is rejected after looking at 4 KiB of each', async (t) => {
  writeFileSync(join(dir, 'overlap.zip'), overlappingZip(900));
  const run = await mnistEval(['--images', 'overlap.zip', '--labels', LABELS_GZ, '--quiet'], { cwd: dir });
  t.deepEqual({ code: run.code, stderr: run.stderr }, {
    code: 1, stderr: 'mnist-eval: overlap.zip: no IDX file in the archive (entries: e0000, e0001, e0002, e0003, e0004, … (900 in all))\n',
  });
});
