import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR } from '../helpers/data-dir.js';
import { mnistEval } from '../helpers/cli.js';
import { DEBIAN_FASHION_DIR } from '../../src/datasets/named-datasets.js';

/**
 * Fashion-MNIST through the CLI: the network of `formats/fashion/` (trained on Fashion-MNIST's
 * training set, with its results computed by numpy in `fashion_mlp.expected.json`) on the 10,000
 * test images of Debian's `dataset-fashion-mnist`, found by `--dataset fashion-test`. Every image's
 * prediction is the expected one, and the class names are in every output.
 */

const FASHION_DIR = DEBIAN_FASHION_DIR;
const MODEL = join(DATA_DIR, 'formats/fashion/fashion_mlp.npz');
const EXPECTED = join(DATA_DIR, 'formats/fashion/fashion_mlp.expected.json');
const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

interface Expected {
  readonly accuracy: number;
  readonly correct: number;
  readonly predictions: string;
  readonly misclassified: number[];
  readonly classes: string[];
}

const missing = [FASHION_DIR, MODEL, EXPECTED].filter((path) => !existsSync(path));
if (missing.length > 0) {
  // Not a skip: CI installs the package (.ci/run), and a skip would pass a suite that never ran this.
  test('Fashion-MNIST end to end', (t) => {
    t.fail(`missing ${missing.join(', ')} (apt-get install dataset-fashion-mnist; the model is in the tests' data folder)`);
  });
} else {
  registerTests();
}

const run = (args: readonly string[], cwd?: string) => mnistEval(['--weights', MODEL, '--activation', 'relu', ...args], { cwd });
const folder = () => mkdtemp(join(tmpdir(), 'mnist-eval-fashion-'));

function registerTests(): void {
  test('--dataset fashion-test: accuracy 0.8537, the 10,000 expected predictions, and the class names in every output', async (t) => {
    const expected = JSON.parse(await readFile(EXPECTED, 'utf8')) as Expected;
    t.deepEqual(expected.classes, CLASSES);
    const dir = await folder();
    const result = await run(['--dataset', 'fashion-test', '--report', 'report.json', '--mosaic', 'errors.png', '--html', 'report.html', '--charts', 'charts', '--predictions', 'predictions.csv'], dir);
    t.is(result.code, 0, result.stderr);
    t.true(result.stderr.includes(`on ${FASHION_DIR}/t10k-images-idx3-ubyte.gz (10000 images`), 'found in Debian\'s folder');

    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    t.is(report.accuracy, expected.accuracy);
    t.is(report.correct, expected.correct);
    t.deepEqual(report.classes, CLASSES);
    t.deepEqual(report.errors.map((e: { index: number }) => e.index), expected.misclassified);

    const rows = (await readFile(join(dir, 'predictions.csv'), 'utf8')).trim().split('\n').slice(1);
    t.is(rows.map((row) => row.split(',')[2]).join(''), expected.predictions, 'every prediction is the expected one');

    // The terminal table: a row for each class, its number and name first.
    t.regex(result.stdout, /^accuracy 0\.8537 \(8537 of 10000 correct, 1463 misclassified\)$/m);
    t.true(result.stdout.includes([
      '                  0     1     2     3     4     5     6     7     8     9   acc',
      '0 T-shirt/top   838     2    17    63     7     2    60     0    11     0 0.838',
    ].join('\n')));
    t.true(result.stdout.includes('\n9 Ankle boot      0     0     0     0     0     8     1    29     0   962 0.962\n'));

    // The charts: names on the axes.
    for (const chart of ['per-class.svg', 'confusion.svg']) {
      const svg = await readFile(join(dir, 'charts', chart), 'utf8');
      for (const name of CLASSES) t.true(svg.includes(`>${name}</text>`), `${chart} names ${name}`);
    }

    // The sidecar: full names, and each tile's two.
    const sidecar = JSON.parse(await readFile(join(dir, 'errors.tiles.json'), 'utf8'));
    t.deepEqual(sidecar.classes, CLASSES);
    t.like(sidecar.tiles[0], { index: expected.misclassified[0], labelName: CLASSES[sidecar.tiles[0].label], predictedName: CLASSES[sidecar.tiles[0].predicted] });
    t.is(sidecar.shown, 400);

    // The HTML page: names in the matrix and the script's data, and every misclassified image
    // (no cell holds more than --html-cap's 2,000), not only the mosaic's 400.
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    t.true(html.includes('<span id="correct">8,537</span> of <span id="total">10,000</span>'));
    t.true(html.includes('<tr><th scope="row">6 Shirt</th>'));
    t.true(html.includes('aria-label="true Pullover, predicted Coat: 232 images"'));
    t.deepEqual(JSON.parse(/id="report-classes">([^<]*)<\/script>/.exec(html)?.[1] ?? ''), CLASSES);
    const images = JSON.parse(/id="report-images">([^<]*)<\/script>/.exec(html)?.[1] ?? '') as Array<{ index: number }>;
    t.deepEqual(images.map((image) => image.index), expected.misclassified);
    t.regex(html, /in the pipeline \(the process: [\d.]+ m?s wall time\)/);
  });

  test('shards carry the names and merge keeps them: the merged report and mosaic equal a single run\'s', async (t) => {
    const dir = await folder();
    const single = await run(['--dataset', 'fashion-test', '--limit', '3000', '--report', 'single.json', '--mosaic', 'single.png', '--html', 'single.html', '--html-cap', '20'], dir);
    t.is(single.code, 0, single.stderr);
    for (const k of [0, 1]) {
      const shard = await run(['--dataset', 'fashion-test', '--limit', '3000', '--shard', `${k}/2`, '--html-cap', '20', '--report', `part-${k}.json`, '--mosaic', `part-${k}.png`], dir);
      t.is(shard.code, 0, shard.stderr);
      t.deepEqual(JSON.parse(await readFile(join(dir, `part-${k}.json`), 'utf8')).classes, CLASSES);
    }
    const merged = await mnistEval(['merge', 'part-0.json', 'part-1.json', '--report', 'merged.json', '--mosaic', 'merged.png', '--html', 'merged.html'], { cwd: dir });
    t.is(merged.code, 0, merged.stderr);
    const a = JSON.parse(await readFile(join(dir, 'single.json'), 'utf8'));
    const b = JSON.parse(await readFile(join(dir, 'merged.json'), 'utf8'));
    for (const field of ['accuracy', 'correct', 'total', 'misclassified', 'confusion', 'perClass', 'classes', 'errors', 'range']) t.deepEqual(b[field], a[field], field);
    t.true((await readFile(join(dir, 'merged.png'))).equals(await readFile(join(dir, 'single.png'))), 'the mosaic, byte for byte');
    t.deepEqual(JSON.parse(await readFile(join(dir, 'merged.tiles.json'), 'utf8')).classes, CLASSES);
    // The page: the single run's but for its time row, each cell's first 20 images from both shards.
    const page = async (name: string) => (await readFile(join(dir, name), 'utf8')).replace(/(<th scope="row">time<\/th><td>)[^<]*/, '$1');
    const html = await page('merged.html');
    t.is(html, await page('single.html'));
    t.true(html.includes('<div id="cell-images" aria-live="polite" data-cap="20">'));
    t.true(html.includes('(at most 20 images a cell, --html-cap: '), 'some cell of 3,000 images has more than 20');

    // Shards that name their classes differently are not of one run; names a run could not write are refused.
    const part1 = JSON.parse(await readFile(join(dir, 'part-1.json'), 'utf8'));
    await writeFile(join(dir, 'renamed.json'), JSON.stringify({ ...part1, classes: CLASSES.map((name) => name.toLowerCase()) }));
    await writeFile(join(dir, 'hostile.json'), JSON.stringify({ ...part1, classes: [...CLASSES.slice(0, 9), 'Ankle\u001b[2Jboot'] }));
    const refusals: Array<[string, string]> = [
      ['renamed.json', 'mnist-eval: renamed.json: is not a shard of the same run as part-0.json: its classNames differs\n'],
      ['hostile.json', 'mnist-eval: hostile.json: classes[9] is not one line of text without control characters or surrounding spaces\n'],
    ];
    for (const [file, stderr] of refusals) {
      const refused = await mnistEval(['merge', 'part-0.json', file, '--report', 'refused.json', '--mosaic', 'refused.png'], { cwd: dir });
      t.is(refused.code, 1, file);
      t.is(refused.stderr, stderr);
      t.false(existsSync(join(dir, 'refused.json')));
    }
  });

  test('--classes FILE names the classes in place of the preset; a wrong count, a duplicate or bad bytes are one line and write nothing', async (t) => {
    const dir = await folder();
    const names = CLASSES.map((name) => name.toUpperCase());
    await writeFile(join(dir, 'names.txt'), `${names.join('\r\n')}\r\n`);
    const ok = await run(['--dataset', 'fashion-test', '--limit', '200', '--classes', 'names.txt', '--report', 'report.json', '--no-mosaic'], dir);
    t.is(ok.code, 0, ok.stderr);
    t.deepEqual(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).classes, names);
    t.regex(ok.stdout, /^6 SHIRT/m);

    const before = await readdir(dir);
    await writeFile(join(dir, 'nine.txt'), CLASSES.slice(0, 9).join('\n'));
    await writeFile(join(dir, 'twice.txt'), [...CLASSES.slice(0, 9), 'Bag'].join('\n'));
    await writeFile(join(dir, 'latin1.txt'), Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]));
    const cases: Array<[string[], number, string]> = [
      [['--classes', 'nine.txt'], 1, 'mnist-eval: nine.txt: 9 class names, expected 10 (one for each output of the network)\n'],
      [['--classes', 'twice.txt'], 1, "mnist-eval: twice.txt: classes 8 and 9 have the same name 'Bag', expected a different name for each class\n"],
      [['--classes', 'latin1.txt'], 1, 'mnist-eval: latin1.txt: not UTF-8 text, expected class names, one a line\n'],
      [['--classes', 'a,b,c'], 2, 'mnist-eval: --classes: 3 class names, expected 10 (one for each output of the network)\n'],
      [['--classes', 'a,,c'], 2, 'mnist-eval: --classes: class 1 has an empty name\n'],
      [['--classes', 'absent.txt'], 1, 'mnist-eval: absent.txt: no such file (--classes names a file of class names, one a line, unless it holds a comma)\n'],
      [['--classes', 'nine.txt', '--report', 'nine.txt'], 1, ''],
    ];
    for (const [args, code, stderr] of cases) {
      const result = await run(['--dataset', 'fashion-test', '--limit', '100', '--report', 'out.json', '--mosaic', 'out.png', ...args], dir);
      t.is(result.code, code, args.join(' '));
      // The error's line (a usage error adds a pointer to --help under it).
      const line = result.stderr.split('\n').find((text) => text.startsWith('mnist-eval: '));
      if (stderr !== '') t.is(`${line}\n`, stderr, args.join(' '));
      else t.truthy(line, `${args.join(' ')}: ${result.stderr}`);
    }
    t.deepEqual((await readdir(dir)).sort(), [...before, 'nine.txt', 'twice.txt', 'latin1.txt'].sort(), 'no output written');
    t.is(await readFile(join(dir, 'nine.txt'), 'utf8'), CLASSES.slice(0, 9).join('\n'), 'an input named as an output is left alone');
  });
}
