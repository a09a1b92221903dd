/**
 * Upper bounds of the command line's numbers (#12, class 6), each a usage error (exit 2) before
 * any work: the options are refused with `--images /nowhere` given too, so nothing is read.
 * The mosaic's canvas is checked at MNIST's 28×28 when the options are parsed, and at the images'
 * own size once their header is read, before the weights load.
 */
import test from 'ava';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../helpers/run-main.js';
import { parseCliOptions } from '../../src/cli/options.js';
import { MAX_MOSAIC_CAP, MAX_MOSAIC_SCALE, mosaicTooLarge } from '../../src/mosaic/mosaic-limits.js';
import { MAX_BATCH_SIZE, MAX_THREADS } from '../../src/operators/forward-plan.js';
import { DATA_DIR } from '../helpers/data-dir.js';
import { idxBytes } from '../helpers/idx-fixtures.js';

process.env.MNIST_EVAL_DATA_DIR = DATA_DIR;


const NOTHING_READ = ['--images', '/nowhere/images.gz', '--labels', '/nowhere/labels.gz', '--weights', '/nowhere/w.pkl'];

const CASES: ReadonlyArray<readonly [args: readonly string[], line: string]> = [
  [['--mosaic-scale', '1000'], `--mosaic-scale must be at most ${MAX_MOSAIC_SCALE} (pixels a digit pixel becomes, each way), got '1000'`],
  [['--mosaic-scale', '40'], '--mosaic-cap 400 --mosaic-scale 40: 400 tiles of 28x28 images at scale 40 make a mosaic of 22526x26134 pixels, more than the limit of 268435456; lower either'],
  [['--mosaic-cap', '1000000'], `--mosaic-cap must be at most ${MAX_MOSAIC_CAP} (tiles kept in memory and drawn), got '1000000'`],
  [['--mosaic-cap', '100000'], '--mosaic-cap 100000 --mosaic-scale 2: 100000 tiles of 28x28 images at scale 2 make a mosaic of 1246x360050 pixels, more than the limit of 268435456; lower either'],
  [['--batch-size', '1000000'], `--batch-size must be at most ${MAX_BATCH_SIZE} (the kernels' buffers hold one batch), got '1000000'`],
  [['--threads', '200'], `--threads must be at most ${MAX_THREADS} (more are capped to the cores), got '200'`],
  [['--workers', '200'], "--workers must be a whole number from 0 to 64, got '200'"],
  [['--max-weights-mib', '99999999999'], "--max-weights-mib must be at most 1048576 (a larger limit would be no limit), got '99999999999'"],
  [['--batch-size', '0'], "--batch-size must be a whole number of at least 1, got '0'"],
];

for (const [args, line] of CASES) {
  test(`${args.join(' ')}: a usage error before anything is read`, async (t) => {
    const result = await runMain([...args, ...NOTHING_READ]);
    t.is(result.code, 2);
    t.is(result.stderr, `mnist-eval: ${line}\n(see mnist-eval --help)\n`);
    t.is(result.stdout, '');
  });
}

test('the bounds themselves pass: --mosaic-cap 100000 at scale 1, --mosaic-scale 64 with few tiles, --batch-size 65536, --max-weights-mib 1048576', (t) => {
  t.like(parseCliOptions(['--mosaic-cap', '100000', '--mosaic-scale', '1']), { mosaicCap: 100_000, mosaicScale: 1 });
  t.like(parseCliOptions(['--mosaic-cap', '4', '--mosaic-scale', '64']), { mosaicCap: 4, mosaicScale: 64 });
  t.like(parseCliOptions(['--batch-size', '65536', '--threads', '64']), { batchSize: 65_536, threads: 64 });
  t.is(parseCliOptions(['--max-weights-mib', '1048576']).maxWeightBytes, 2 ** 40);
});

test('images larger than 28x28: a mosaic that would not fit is a usage error once the header is read, before the weights load; nothing written', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-bounds-'));
  await writeFile(join(cwd, 'big-images-idx3-ubyte'), idxBytes([2, 1000, 1000], new Uint8Array(2 * 1000 * 1000)));
  await writeFile(join(cwd, 'big-labels-idx1-ubyte'), idxBytes([2], [1, 2]));
  const result = await runMain(['--images', join(cwd, 'big-images-idx3-ubyte'), '--weights', '/nowhere/w.pkl', '--mosaic-scale', '4', '--report', join(cwd, 'r.json'), '--mosaic', join(cwd, 'e.png'), '--quiet']);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /^mnist-eval: --mosaic-cap 400 --mosaic-scale 4: \S+big-images-idx3-ubyte: 400 tiles of 1000x1000 images at scale 4 make a mosaic of \d+x\d+ pixels, more than the limit of 268435456; lower either\n/);
  t.deepEqual((await readdir(cwd)).sort(), ['big-images-idx3-ubyte', 'big-labels-idx1-ubyte']);
});

test('mosaicTooLarge: the default mosaic fits; the canvas limit also bounds the tiles kept', (t) => {
  t.is(mosaicTooLarge(400, { rows: 28, cols: 28, scale: 2 }), undefined);
  t.is(mosaicTooLarge(MAX_MOSAIC_CAP, { rows: 28, cols: 28, scale: 1 }), undefined);
  t.truthy(mosaicTooLarge(400, { rows: 4096, cols: 4096, scale: 1 }));
});
