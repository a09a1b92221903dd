/**
 * The main command's habits, through `main()` with captured streams: the exit code, the one line
 * on stderr, and the files on disk. Empty or out-of-range ranges and a lone --images are usage
 * errors naming what is wrong; file-system and font mistakes are input errors, never internal ones;
 * too many workers or threads are capped with a warning; --no-mosaic writes no mosaic files.
 * Closed stdout through a real pipe: closed-stdout.test.ts; the help text: help.test.ts.
 */
import test from 'ava';
import { copyFile, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileErrorOf, main } from '../../src/cli/main.js';
import { IMAGES_GZ, LABELS_GZ, needsData, SAMPLE_WEIGHT } from '../helpers/data-dir.js';

needsData(test);

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({ write(chunk, _encoding, done) { text += chunk; done(); } });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

/** Runs `mnist-eval ARGS` in-process with outputs in a fresh folder `dir` (`DIR` in args stands for it). */
async function run(args: readonly string[], { data = true, dir }: { data?: boolean; dir?: string } = {}) {
  dir ??= await mkdtemp(join(tmpdir(), 'mnist-eval-manners-'));
  const stdout = capture();
  const stderr = capture();
  const given = args.map((arg) => arg.replaceAll('DIR', dir));
  const inputs = data ? ['--images', IMAGES_GZ, '--labels', LABELS_GZ, '--weights', SAMPLE_WEIGHT] : ['--weights', SAMPLE_WEIGHT];
  const code = await main([...inputs, '--report', join(dir, 'out/report.json'), ...given], { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text(), dir, files: async () => (await readdir(dir, { recursive: true })).sort() };
}

// ---- empty and out-of-range ranges: usage errors naming the range, before any work ------------

const RANGES: ReadonlyArray<[string[], string]> = [
  [['--offset', '20000'], `--offset 20000 is past the end: ${IMAGES_GZ} holds 10000 images (0..9999)`],
  [['--offset', '10000', '--limit', '5'], `--offset 10000 is past the end: ${IMAGES_GZ} holds 10000 images (0..9999)`],
  [['--limit', '0'], "--limit must be a whole number of at least 1, got '0'"],
  [['--offset', '-5'], "--offset must be a whole number, got '-5'"],
  [['--limit', '-1'], "--limit must be a whole number of at least 1, got '-1'"],
  [['--limit', '10', '--shard', '0/20'], '--shard 0/20: part 0 of 20 of images 0..9 is empty (10 images make at most 10 shards)'],
  [['--offset', '9995', '--shard', '0/8'], '--shard 0/8: part 0 of 8 of images 9995..9999 is empty (5 images make at most 5 shards)'],
];
for (const [args, message] of RANGES) {
  test(`${args.join(' ')}: a usage error naming the range, exit 2, nothing written`, async (t) => {
    const result = await run([...args, '--mosaic', 'DIR/out/errors.png']);
    t.is(result.code, 2, result.stderr);
    t.is(result.stderr.split('\n')[0], `mnist-eval: ${message}`);
    t.is(result.stdout, '');
    t.deepEqual(await result.files(), []);
  });
}

test('the last image alone is a range, not an error: --offset 9999', async (t) => {
  const result = await run(['--offset', '9999', '--quiet', '--mosaic', 'DIR/out/errors.png']);
  t.is(result.code, 0, result.stderr);
  t.like(JSON.parse(await readFile(join(result.dir, 'out/report.json'), 'utf8')), { total: 1, range: { start: 9999, end: 10000, size: 10000 } });
});

// ---- --images without --labels, and the reverse ------------------------------------------------

test('--images alone takes the labels beside it by the MNIST names, and says so on stderr', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-pair-'));
  await copyFile(IMAGES_GZ, join(dir, 't10k-images-idx3-ubyte.gz'));
  await copyFile(LABELS_GZ, join(dir, 't10k-labels-idx1-ubyte.gz'));
  const images = join(dir, 't10k-images-idx3-ubyte.gz');
  const result = await run(['--images', images, '--limit', '10', '--mosaic', 'DIR/out/errors.png'], { data: false, dir });
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr.split('\n')[0], `labels: ${join(dir, 't10k-labels-idx1-ubyte.gz')} (found beside --images ${images}; give --labels to choose another)`);
  const reverse = await run(['--labels', join(dir, 't10k-labels-idx1-ubyte.gz'), '--limit', '10', '--quiet', '--mosaic', 'DIR/out/errors.png'], { data: false });
  t.is(reverse.code, 0, reverse.stderr);
  t.is(JSON.parse(await readFile(join(reverse.dir, 'out/report.json'), 'utf8')).inputs.images, images);
});

test('--images with no labels file beside it is a usage error naming what was looked for, and nothing is written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-pair-'));
  await copyFile(IMAGES_GZ, join(dir, 'gen-images.gz'));
  const result = await run(['--images', join(dir, 'gen-images.gz'), '--mosaic', 'DIR/out/errors.png'], { data: false, dir });
  t.is(result.code, 2);
  t.is(result.stderr.split('\n')[0], `mnist-eval: --images ${join(dir, 'gen-images.gz')} needs --labels: no labels file found by its name (looked for gen-labels.gz, gen-labels beside it)`);
  t.deepEqual(await result.files(), ['gen-images.gz']);
  const stdin = await run(['--images', '-'], { data: false });
  t.is(stdin.stderr.split('\n')[0], 'mnist-eval: --images - needs --labels: no labels file found by its name');
});

// ---- user mistakes are input errors, never internal errors -------------------------------------

test('a missing chart font (MNIST_EVAL_CHART_FONT) is an input error before the run, and nothing is written', async (t) => {
  const saved = process.env.MNIST_EVAL_CHART_FONT;
  process.env.MNIST_EVAL_CHART_FONT = '/nowhere/font.ttf';
  try {
    const result = await run(['--limit', '10', '--charts', 'DIR/charts', '--mosaic', 'DIR/out/errors.png']);
    t.is(result.code, 1);
    t.is(result.stderr, 'mnist-eval: MNIST_EVAL_CHART_FONT: /nowhere/font.ttf does not exist, expected a TTF or OTF font file\n');
    t.deepEqual(await result.files(), []);
  } finally {
    if (saved === undefined) delete process.env.MNIST_EVAL_CHART_FONT;
    else process.env.MNIST_EVAL_CHART_FONT = saved;
  }
});

test('an output under /proc is one line naming the output, exit 1, not an internal error', async (t) => {
  const result = await run(['--limit', '10', '--quiet', '--report', '/proc/r.json', '--mosaic', 'DIR/out/errors.png']);
  t.is(result.code, 1);
  t.regex(result.stderr, /^mnist-eval: \/proc\/r\.json: [^\n]+\n$/);
  t.false(result.stderr.includes('internal error'));
  t.deepEqual(await result.files(), []);
});

// ---- --workers and --threads beyond the cores are capped, with a warning -----------------------

const cores = availableParallelism();
for (const [option, extra] of [['--workers', []], ['--threads', ['--workers', '0']]] as const) {
  test(`${option} 64 on ${cores} cores: capped to ${Math.min(cores, 64)}, with a warning on stderr`, async (t) => {
    const result = await run([option, '64', ...extra, '--limit', '200', '--mosaic', 'DIR/out/errors.png']);
    t.is(result.code, 0, result.stderr);
    const warning = `mnist-eval: warning: ${option} 64 is more than the ${cores} core${cores === 1 ? '' : 's'} here (os.availableParallelism()): using ${cores}`;
    t.is(result.stderr.split('\n').includes(warning), cores < 64);
    const { forward } = JSON.parse(await readFile(join(result.dir, 'out/report.json'), 'utf8'));
    t.is(forward[option.slice(2)], Math.min(cores, 64));
  });
}

// ---- --no-mosaic --------------------------------------------------------------------------------

test('--no-mosaic writes neither the mosaic nor its tile index; the report says so and keeps its other fields', async (t) => {
  const result = await run(['--no-mosaic', '--limit', '100', '--quiet', '--html', 'DIR/out/report.html']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(await result.files(), ['out', 'out/report.html', 'out/report.json']);
  const report = JSON.parse(await readFile(join(result.dir, 'out/report.json'), 'utf8'));
  t.deepEqual(report.mosaic, { path: null, sidecar: null, shown: 4, leftOut: 0 });
  t.like(report, { total: 100, misclassified: 4 });
  t.true((await readFile(join(result.dir, 'out/report.html'), 'utf8')).includes('id="mosaic-image"'), 'the page still shows the mosaic, inline');
  t.is(result.stdout.split('\n').at(-2), `wrote ${join(result.dir, 'out/report.json')}, ${join(result.dir, 'out/report.html')}`);
});

test('--no-mosaic with --mosaic is a usage error', async (t) => {
  const result = await run(['--no-mosaic', '--mosaic', 'DIR/e.png']);
  t.is(result.code, 2);
  t.is(result.stderr.split('\n')[0], 'mnist-eval: --no-mosaic writes no mosaic; give it or --mosaic, not both');
});

// ---- the terminal table -------------------------------------------------------------------------

test('the terminal table of a 100-image run lines up: every row as long as the header, no cells run together', async (t) => {
  const result = await run(['--limit', '100', '--quiet', '--mosaic', 'DIR/out/errors.png']);
  t.is(result.code, 0, result.stderr);
  const [header, ...rows] = result.stdout.split('\n').slice(3, 14);
  t.is(header, '           0     1     2     3     4     5     6     7     8     9   acc');
  t.true(rows.every((row) => row.length === header.length && row.trim().split(/ +/).length === 12), rows.join('\n'));
});

test('fileErrorOf: a file-system error that no stage caught names its path and the problem', (t) => {
  const error = (code: string, path: string) => Object.assign(new Error(`${code}: …, open '${path}'`), { code, path });
  t.is(fileErrorOf(error('ENOSPC', '/data/out/report.json')), '/data/out/report.json: no space left on the device');
  t.is(fileErrorOf(error('EACCES', 'out/p.csv')), 'out/p.csv: permission denied');
  t.is(fileErrorOf(new Error('no code, no path')), undefined);
  t.is(fileErrorOf(Object.assign(new Error('socket'), { code: 'ECONNRESET', path: '/x' })), undefined, 'not a file-system problem of the user');
});
