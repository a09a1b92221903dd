/**
 * `mnist-eval generate` through the real command line: the bytes of the generator, one line per
 * mistake (usage: exit 2; files: exit 1) and nothing left behind, its help, and its progress bar.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateDataset, runGenerate } from '../../pipelines/generate-dataset.js';
import { main } from '../../src/cli/main.js';
import { needsData } from '../helpers/data-dir.js';
import { mnistEval, mnistTestBase, scratch } from './helpers.js';

needsData(test);

const freshDir = () => mkdtemp(join(scratch(), 'generate-'));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

test('generate writes the generator\'s bytes, says where in one line, and the set evaluates', async (t) => {
  const cwd = await freshDir();
  const run = await mnistEval(['generate', '--count', '2_500', '--seed', '3', '--out-dir', 'sets', '--name', 'g'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout, '');
  t.regex(run.stderr, /^wrote sets\/g-images-idx3-ubyte\.gz and sets\/g-labels-idx1-ubyte\.gz \(2500 images\) in \d+\.\d s\n$/);
  const expected = await generateDataset(await mnistTestBase(), await freshDir(), 'g', { count: 2500, seed: 3 });
  t.is(sha256(await readFile(join(cwd, 'sets/g-images-idx3-ubyte.gz'))), sha256(await readFile(expected.images)));
  t.is(sha256(await readFile(join(cwd, 'sets/g-labels-idx1-ubyte.gz'))), sha256(await readFile(expected.labels)));
  const evaluate = await mnistEval(['--images', 'sets/g-images-idx3-ubyte.gz', '--labels', 'sets/g-labels-idx1-ubyte.gz', '--json', '--quiet'], { cwd });
  t.is(evaluate.code, 0, evaluate.stderr);
  t.is(JSON.parse(evaluate.stdout).total, 2500);
});

test('generate: the default name and folder, and --quiet says nothing', async (t) => {
  const cwd = await freshDir();
  const run = await mnistEval(['generate', '--count', '100', '--quiet'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.is(run.stderr, '');
  t.deepEqual((await readdir(join(cwd, 'out/generated'))).sort(), ['gen-100-seed1-images-idx3-ubyte.gz', 'gen-100-seed1-labels-idx1-ubyte.gz']);
});

const usageCases: Array<[args: string[], line: string]> = [
  [[], 'generate: --count N is required (the number of images to write)'],
  [['--count', 'abc'], "generate: --count must be a whole number from 1 to 4294967295, got 'abc'"],
  [['--count=-5'], "generate: --count must be a whole number from 1 to 4294967295, got '-5'"],
  [['--count', '1.5'], "generate: --count must be a whole number from 1 to 4294967295, got '1.5'"],
  [['--count', '0'], "generate: --count must be a whole number from 1 to 4294967295, got '0'"],
  [['--count', '5e9'], "generate: --count must be a whole number from 1 to 4294967295, got '5e9'"],
  [['--count', '10', '--seed', 'x'], "generate: --seed must be a whole number from 0 to 4294967295, got 'x'"],
  [['--count', '10', '--shift-rate', '2'], "generate: --shift-rate must be a number from 0 to 1, got '2'"],
  [['--count', '10', '--noise', '300'], "generate: --noise must be a whole number from 0 to 255, got '300'"],
  [['--count', '10', '--level', '10'], "generate: --level must be a whole number from 1 to 9, got '10'"],
  [['--count', '10', '--images', 'a.gz'], 'generate: --images and --labels go together, expected both (a base set and its labels) or neither, got only --images'],
  [['--count', '10', '--name', 'a/b'], "generate: --name must be a file name prefix of letters, digits, '.', '_' or '-', got 'a/b'"],
  [['--count', '10', '--out-dir', ''], 'generate: --out-dir needs a path'],
  [['--count', '10', '--bogus'], "generate: Unknown option '--bogus'"],
  [['--count', '10', 'stray'], "generate: Unexpected argument 'stray'. This command does not take positional arguments"],
  [['--count'], "generate: Option '--count <value>' argument missing"],
];

for (const [args, line] of usageCases) {
  test(`generate ${args.join(' ') || '(nothing)'}: a usage error, exit 2, no stack trace, no file`, async (t) => {
    const cwd = await freshDir();
    const run = await mnistEval(['generate', ...args], { cwd });
    t.is(run.code, 2);
    t.is(run.stderr.split('\n')[0], `mnist-eval: ${line}`);
    t.false(run.stderr.includes('    at '), run.stderr);
    t.deepEqual(await readdir(cwd), []);
  });
}

test('generate: an output folder that cannot be written, or a missing base set, is one line, exit 1, and leaves nothing', async (t) => {
  const cwd = await freshDir();
  await writeFile(join(cwd, 'file'), '');
  const proc = await mnistEval(['generate', '--count', '10', '--out-dir', '/proc/nope'], { cwd });
  t.is(proc.code, 1);
  t.regex(proc.stderr, /^mnist-eval: \/proc\/nope\/gen-10-seed1-images-idx3-ubyte\.gz: cannot write in \/proc \(E[A-Z]+\)\n$/);
  const notFolder = await mnistEval(['generate', '--count', '10', '--out-dir', 'file/sets'], { cwd });
  t.is(notFolder.code, 1);
  t.is(notFolder.stderr, `mnist-eval: file/sets/gen-10-seed1-images-idx3-ubyte.gz: ${join(cwd, 'file')} is not a folder\n`);
  const missing = await mnistEval(['generate', '--count', '10', '--images', 'no-images.gz', '--labels', 'no-labels.gz', '--out-dir', 'sets'], { cwd });
  t.is(missing.code, 1);
  t.is(missing.stderr, 'mnist-eval: no-images.gz: no such file\n');
  t.deepEqual(await readdir(cwd), ['file']);
});

test('generate --help lists every option and exits 0', async (t) => {
  const run = await mnistEval(['generate', '--help']);
  t.is(run.code, 0);
  t.true(run.stdout.startsWith('usage: mnist-eval generate --count N [options]'));
  for (const flag of ['--count', '--out-dir', '--name', '--seed', '--images', '--labels', '--shift-rate', '--max-shift', '--noise', '--level', '--quiet']) {
    t.true(run.stdout.includes(`  ${flag} `), flag);
  }
});

/** A terminal-like stream that keeps what is written to it. */
function fakeTerminal(): Writable & { text: string; isTTY: boolean; columns: number } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string; isTTY: boolean; columns: number };
  stream.text = '';
  stream.isTTY = true;
  stream.columns = 80;
  return stream;
}

test('generate draws a progress bar on a terminal for a long run, and clears it', async (t) => {
  const dir = await freshDir();
  const stderr = fakeTerminal();
  const code = await main(['generate', '--count', '300000', '--level', '1', '--out-dir', dir], { stdout: fakeTerminal(), stderr });
  t.is(code, 0, stderr.text);
  t.regex(stderr.text, /\r\[#*-*\]\s+\d+\/300000\s+\d+%\s+\d+ img\/s\s+ETA /);
  t.regex(stderr.text, /\r\x1b\[Kwrote .*gen-300000-seed1-images-idx3-ubyte\.gz and .* \(300000 images\) in \d+\.\d s\n$/);
});

test('runGenerate stops between blocks when its signal aborts, and leaves no file', async (t) => {
  const dir = await freshDir();
  await mkdir(join(dir, 'sets'));
  const controller = new AbortController();
  const reason = new Error('stop');
  const run = runGenerate({ count: 50_000, outDir: join(dir, 'sets') }, { onProgress: () => controller.abort(reason), signal: controller.signal });
  t.is(await t.throwsAsync(run), reason);
  t.deepEqual(await readdir(join(dir, 'sets')), []);
});
