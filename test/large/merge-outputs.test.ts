/**
 * `mnist-eval merge` writes what a single run writes, through the real command line: the README's
 * own example, and --html, --charts and --predictions from shards that each wrote their CSV.
 */
import test from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { needsData } from '../helpers/data-dir.js';
import { comparable, mnistEval, scratch } from './helpers.js';

needsData(test);

const freshDir = () => mkdtemp(join(scratch(), 'merge-'));
const readJson = async (path: string): Promise<Record<string, any>> => JSON.parse(await readFile(path, 'utf8'));
/** The page without its one line of timings (the merge's time is its own). */
const withoutTimings = (html: string): string => html.replace(/(<th scope="row">time<\/th><td>)[^<]*/, '$1');

const RANGE = ['--offset', '500', '--limit', '3000', '--quiet'];

/** Three shards of RANGE into `cwd`/parts, each with its own predictions CSV unless `csv` is false. */
async function shards(cwd: string, csv = true): Promise<void> {
  const runs = await Promise.all([0, 1, 2].map((k) => mnistEval([
    ...RANGE, '--shard', `${k}/3`, '--report', `parts/part-${k}.json`, '--mosaic', `parts/errors-${k}.png`,
    ...(csv ? ['--predictions', `parts/pred-${k}.csv`] : []),
  ], { cwd })));
  for (const run of runs) if (run.code !== 0) throw new Error(run.stderr);
}

test('the README\'s merge example works: --report merged.json --mosaic merged.png, the tile index beside it', async (t) => {
  const cwd = await freshDir();
  await shards(cwd, false);
  const merge = await mnistEval(['merge', 'parts/part-2.json', 'parts/part-0.json', 'parts/part-1.json', '--report', 'merged.json', '--mosaic', 'merged.png', '--quiet'], { cwd });
  t.is(merge.code, 0, merge.stderr);
  t.deepEqual((await readdir(cwd)).sort(), ['merged.json', 'merged.png', 'merged.tiles.json', 'parts']);
  t.is((await readJson(join(cwd, 'merged.json'))).mosaic.sidecar, 'merged.tiles.json');
});

test('merge --html --charts --predictions: the single run\'s files (HTML but for its timings, charts and CSV byte for byte)', async (t) => {
  const [single, sharded] = [await freshDir(), await freshDir()];
  const outputs = ['--report', 'r.json', '--mosaic', 'e.png', '--html', 'r.html', '--charts', 'charts', '--predictions', 'p.csv'];
  const [whole] = await Promise.all([mnistEval([...RANGE, ...outputs], { cwd: single }), shards(sharded)]);
  t.is(whole.code, 0, whole.stderr);
  const parts = [0, 1, 2].map((k) => `parts/part-${k}.json`);
  const merge = await mnistEval(['merge', ...parts.reverse(), ...outputs, '--quiet'], { cwd: sharded });
  t.is(merge.code, 0, merge.stderr);
  const same = async (name: string) => t.deepEqual(await readFile(join(sharded, name)), await readFile(join(single, name)), name);
  for (const name of ['p.csv', 'e.png', 'e.tiles.json', 'charts/per-class.svg', 'charts/per-class.png', 'charts/confusion.svg', 'charts/confusion.png']) await same(name);
  const html = async (cwd: string) => withoutTimings(await readFile(join(cwd, 'r.html'), 'utf8'));
  t.is(await html(sharded), await html(single));
  t.deepEqual(comparable(await readJson(join(sharded, 'r.json'))), comparable(await readJson(join(single, 'r.json'))));
  t.is((await readJson(join(sharded, 'r.json'))).predictions, 'p.csv');
  t.is((await readFile(join(sharded, 'p.csv'), 'utf8')).split('\n').length, 3000 + 2);
  const part = await readJson(join(sharded, 'parts/part-1.json'));
  t.is(part.shard.predictions, 'pred-1.csv', 'the partial report records its CSV, relative to its own folder');
  t.deepEqual(Object.keys(part.shard), ['index', 'count', 'start', 'end', 'rows', 'cols', 'mosaicCap', 'mosaicOrder', 'mosaicScale', 'predictions', 'tiles', 'htmlCap', 'cellTiles'], 'a path, no rows, at most htmlCap images a cell: the partial report stays bounded');
});

test('merge --predictions finds the shards\' CSVs from their reports\' folder, wherever the merge runs', async (t) => {
  const cwd = await freshDir();
  await shards(cwd);
  await mkdir(join(cwd, 'elsewhere'));
  const merge = await mnistEval(['merge', '../parts/part-0.json', '../parts/part-1.json', '../parts/part-2.json', '--report', 'r.json', '--mosaic', 'e.png', '--predictions', 'p.csv', '--quiet'], { cwd: join(cwd, 'elsewhere') });
  t.is(merge.code, 0, merge.stderr);
  t.is((await readFile(join(cwd, 'elsewhere/p.csv'), 'utf8')).split('\n').length, 3002);
});

test('merge refuses a missing chart font, and --predictions shards without their CSV, a missing CSV and a CSV of other records, in one line and writing nothing', async (t) => {
  const cwd = await freshDir();
  await shards(cwd, false);
  const merge = (out: string) => mnistEval(['merge', 'parts/part-0.json', 'parts/part-1.json', 'parts/part-2.json', '--report', `${out}.json`, '--mosaic', `${out}.png`, '--predictions', `${out}.csv`], { cwd });
  const font = await mnistEval(['merge', 'parts/part-0.json', 'parts/part-1.json', 'parts/part-2.json', '--charts', 'charts'], { cwd, env: { MNIST_EVAL_CHART_FONT: '/nowhere/font.ttf' } });
  t.is(font.code, 1);
  t.is(font.stderr, 'mnist-eval: MNIST_EVAL_CHART_FONT: /nowhere/font.ttf does not exist, expected a TTF or OTF font file\n');
  const none = await merge('none');
  t.is(none.code, 1);
  t.is(none.stderr, 'mnist-eval: parts/part-0.json: has no predictions CSV, expected each shard run with --predictions for merge --predictions\n');

  await shards(cwd);
  await writeFile(join(cwd, 'parts/pred-1.csv'), (await readFile(join(cwd, 'parts/pred-0.csv'), 'utf8')));
  const foreign = await merge('foreign');
  t.is(foreign.code, 1);
  t.is(foreign.stderr, `mnist-eval: parts/pred-1.csv: row 1 is image "500", expected 1500 (shard 1 covers records 1500..2499)\n`);

  await writeFile(join(cwd, 'parts/pred-1.csv'), 'index,label,predicted,confidence\n1500,7,7,0.999\n');
  const short = await merge('short');
  t.is(short.stderr, `mnist-eval: parts/pred-1.csv: ends after 1 rows, expected 1000 for records 1500..2499\n`);

  await rm(join(cwd, 'parts/pred-1.csv'));
  const missing = await merge('missing');
  t.is(missing.code, 1);
  t.regex(missing.stderr, /^mnist-eval: parts\/pred-1\.csv: no such file \(the predictions CSV of a shard, found from its partial report's folder\)\n$/);
  t.deepEqual((await readdir(cwd)).sort(), ['parts'], 'no merged output written');
});

test('merge --help lists --html, --charts and --predictions', async (t) => {
  const run = await mnistEval(['merge', '--help']);
  t.is(run.code, 0);
  for (const flag of ['--html PATH', '--charts DIR', '--predictions PATH']) t.true(run.stdout.includes(flag), flag);
});
