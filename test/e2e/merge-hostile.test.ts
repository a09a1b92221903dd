/**
 * `mnist-eval merge` reads partial reports as untrusted input (#12, class 4 and the size parts of
 * class 2): two real shards of the first 200 test images are made once, then each case edits one
 * field of a copy and runs the real command line, which must exit 1 with one line naming the file
 * and the field, and write nothing. The reports' numbers: shard 0 covers records 0..99 with 4
 * errors (3 kept as tiles, --mosaic-cap 3), shard 1 records 100..199 with 2 errors (124: 7→4, 149: 2→9).
 */
import test from 'ava';
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistEval } from '../helpers/cli.js';
import { needsData } from '../helpers/data-dir.js';

needsData(test);

type Json = Record<string, any>;

let made: Promise<string> | undefined;
/** The folder of the two real shards, made once per process. */
function shards(): Promise<string> {
  made ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-merge-hostile-'));
    const runs = await Promise.all([0, 1].map((k) =>
      mnistEval(['--limit', '200', '--shard', `${k}/2`, '--mosaic-cap', '3', '--report', `part-${k}.json`, '--mosaic', `e-${k}.png`, '--quiet'], { cwd: dir })));
    for (const run of runs) if (run.code !== 0) throw new Error(run.stderr);
    return dir;
  })();
  return made;
}

/** A fresh folder holding the two shards, `part-K.json` replaced by `edit` of it (text or JSON). */
async function edited(k: 0 | 1, edit: (report: Json) => Json | string | void): Promise<string> {
  const from = await shards();
  const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-merge-case-'));
  for (const name of ['part-0.json', 'part-1.json']) await copyFile(join(from, name), join(cwd, name));
  const report = JSON.parse(await readFile(join(from, `part-${k}.json`), 'utf8')) as Json;
  const result = edit(report);
  await writeFile(join(cwd, `part-${k}.json`), typeof result === 'string' ? result : JSON.stringify(result ?? report));
  return cwd;
}

const merge = (cwd: string) => mnistEval(['merge', 'part-0.json', 'part-1.json', '--report', 'm.json', '--mosaic', 'm.png'], { cwd });

/** Runs the merge in `cwd` and checks the refusal: exit 1, `line` alone on stderr, nothing written. */
async function refused(t: import('ava').ExecutionContext, cwd: string, line: string | RegExp): Promise<void> {
  const run = await merge(cwd);
  t.is(run.code, 1, run.stderr);
  t.is(run.stderr.split('\n').length, 2, `one line: ${run.stderr}`);
  if (typeof line === 'string') t.is(run.stderr, `mnist-eval: ${line}\n`);
  else t.regex(run.stderr, line);
  t.false(run.stderr.includes('internal error'));
  t.deepEqual((await readdir(cwd)).sort(), ['part-0.json', 'part-1.json'], 'no output written');
}

test('the two real shards merge (the cases below differ from them in one field)', async (t) => {
  const run = await merge(await edited(1, () => {}));
  t.is(run.code, 0, run.stderr);
});

// One field edited, one line expected: `part-1.json: <field> …`.
const CASES: ReadonlyArray<readonly [title: string, k: 0 | 1, edit: (r: Json) => Json | string | void, line: string | RegExp]> = [
  ['an edited correct (accuracy 1.215 before)', 1, (r) => void (r.correct = 121.5), 'part-1.json: correct is 121.5, expected a whole number'],
  ['correct raised, total kept', 1, (r) => void (r.correct = 99), "part-1.json: confusion's diagonal sums to 98 correct images, but correct is 99"],
  ['a confusion cell raised by 7', 1, (r) => void (r.confusion[3][3] += 7), 'part-1.json: confusion sums to 107 images, but total is 100'],
  ['a confusion cell moved off the diagonal', 1, (r) => { r.confusion[3][3] -= 1; r.confusion[3][5] += 1; r.correct -= 1; r.misclassified += 1; }, 'part-1.json: errors lists 2 images, but misclassified is 3'],
  ['misclassified edited', 1, (r) => void (r.misclassified = 5), 'part-1.json: misclassified is 5, but total - correct is 2'],
  ['a string count', 1, (r) => void (r.total = '100'), 'part-1.json: total is the string "100", expected a number'],
  ['a negative count', 1, (r) => void (r.confusion[0][0] = -1), 'part-1.json: confusion[0][0] is -1, expected at least 0'],
  ['an unsafe integer', 1, (r) => void (r.confusion[0][0] = 2 ** 60), 'part-1.json: confusion[0][0] is 1152921504606847000, expected at most 9007199254740991'],
  ['a confusion matrix that is not square', 1, (r) => void r.confusion[4].pop(), 'part-1.json: confusion[4] has 9 columns, expected 10 (a square matrix, a row and a column for each class)'],
  ['2000 classes', 1, (r) => void (r.confusion = Array.from({ length: 2000 }, () => [0])), 'part-1.json: confusion is an array of 2000, expected at most 1024 entries'],
  ['a negative error index', 1, (r) => void (r.errors[0].index = -2), "part-1.json: errors[0].index -2 is outside the shard's records 100..199"],
  ['an error index of the other shard', 1, (r) => void (r.errors[0].index = 42), "part-1.json: errors[0].index 42 is outside the shard's records 100..199"],
  ['errors out of order', 1, (r) => void r.errors.reverse(), 'part-1.json: errors[1].index 124 comes after errors[0].index 149, expected increasing indices'],
  ['an error label outside the classes', 1, (r) => void (r.errors[1].label = 12), 'part-1.json: errors[1].label 12 is outside the classes 0..9'],
  ['an error that is right', 1, (r) => void (r.errors[1].predicted = 2), 'part-1.json: errors[1] (image 149) has label and prediction 2, expected a misclassified image'],
  ['an error moved to another cell', 1, (r) => void (r.errors[1].predicted = 8), 'part-1.json: confusion[2][8] counts 0 images, but errors lists 1 of label 2 predicted as 8'],
  ['an error dropped', 1, (r) => void r.errors.pop(), 'part-1.json: errors lists 1 images, but misclassified is 2'],
  ['a confidence above 1', 1, (r) => void (r.errors[0].confidence = 7), 'part-1.json: errors[0].confidence is 7, expected at most 1'],
  ['a tile of no error', 1, (r) => void (r.shard.tiles[1].index = 150), 'part-1.json: shard.tiles[1] (image 150) is not among the errors'],
  ['a tile whose label differs from its error', 1, (r) => void (r.shard.tiles[0].label = 1), 'part-1.json: shard.tiles[0] (image 124) differs from its entry in errors (label, predicted or confidence)'],
  ['a tile twice', 1, (r) => void (r.shard.tiles[1] = r.shard.tiles[0]), 'part-1.json: shard.tiles[1] repeats image 124'],
  ['a tile dropped', 1, (r) => void r.shard.tiles.pop(), 'part-1.json: shard.tiles holds 1 tiles, expected 2 (the first shard.mosaicCap 3 of its 2 errors)'],
  ['tiles out of order', 1, (r) => void r.shard.tiles.reverse(), "part-1.json: shard.tiles[1] (image 124) is out of the mosaic's index order"],
  ['a tile that is not one of the first cap', 0, (r) => void (r.shard.tiles[2] = { ...r.errors[3], pixels: r.shard.tiles[2].pixels }), /^mnist-eval: part-0\.json: shard\.tiles leaves out image \d+, which comes before image \d+ in the mosaic's index order\n$/],
  ['tile pixels of the wrong size', 1, (r) => void (r.shard.tiles[0].pixels = 'AAAA'), 'part-1.json: shard.tiles[0].pixels is not the base64 of 784 bytes (28x28): 4 characters, expected 1048'],
  ['tile pixels that are not base64', 1, (r) => void (r.shard.tiles[0].pixels = '*'.repeat(1048)), 'part-1.json: shard.tiles[0].pixels is not the base64 of 784 bytes (28x28): 1048 characters, expected 1048'],
  ['more tiles than the cap', 1, (r) => void (r.shard.mosaicCap = 1), 'part-1.json: shard.tiles holds 2 tiles, expected 1 (the first shard.mosaicCap 1 of its 2 errors)'],
  ['a shard index past the count', 1, (r) => void (r.shard.index = 2), 'part-1.json: shard.index 2 is outside 0..1 (shard.count 2)'],
  ['a huge shard count (an out-of-memory crash, exit 134, before)', 1, (r) => void (r.shard.count = 4e9), "part-1.json: shard.count 4000000000 is more than the run's 200 records (each shard holds at least one)"],
  ['a shard count past any IDX file', 1, (r) => void (r.shard.count = 2 ** 40), 'part-1.json: shard.count is 1099511627776, expected at most 4294967295'],
  ['a shard range past the run\'s', 1, (r) => { r.shard.end = 250; }, "part-1.json: shard.start..shard.end (100..250) is not a part of the run's records 0..199, expected 0 <= start < end <= 200"],
  ['a shard range moved', 1, (r) => { r.shard.start = 90; }, 'part-1.json: total is 100, expected 110 for records 90..199'],
  ['a shard range that overlaps the other', 1, (r) => { r.shard.start = 90; r.total = 110; r.confusion[0][0] += 10; r.correct += 10; }, 'part-1.json: covers records 90..199, expected its range to start at 100'],
  ['a range past the dataset', 1, (r) => void (r.range.end = 20_000), 'part-1.json: range.end 20000 is past range.size 10000'],
  ['images of 16384x16384', 1, (r) => { r.shard.rows = 16384; r.shard.cols = 16384; }, "part-1.json: shard.rows x shard.cols (16384x16384) is over the IDX reader's limit of 16777216 pixels an image"],
  ['a mosaic scale of 1000', 1, (r) => void (r.shard.mosaicScale = 1000), 'part-1.json: shard.mosaicScale is 1000, expected at most 64'],
  ['a canvas past the renderer\'s limit', 1, (r) => { r.shard.mosaicCap = 100_000; r.shard.mosaicScale = 3; }, /^mnist-eval: part-1\.json: shard\.mosaicCap and shard\.mosaicScale: 100000 tiles of 28x28 images at scale 3 make a mosaic of \d+x\d+ pixels, more than the limit of 268435456\n$/],
  ['an unknown mosaic order', 1, (r) => void (r.shard.mosaicOrder = 'random'), 'part-1.json: shard.mosaicOrder is the string "random", expected "index" or "confidence"'],
  ['a model without layers', 1, (r) => void delete r.model.layers, 'part-1.json: model.layers is missing, expected an array'],
  ['an error list that is an object', 1, (r) => void (r.errors = {}), 'part-1.json: errors is an object, expected an array'],
  ['a batch size of a million', 1, (r) => void (r.batchSize = 1e6), 'part-1.json: batchSize is 1000000, expected at most 65536'],
  ['a report that is an array', 1, () => '[]', 'part-1.json: not an mnist-eval report (an array, expected an object)'],
  ['a report that is null', 1, () => 'null', 'part-1.json: not an mnist-eval report (null, expected an object)'],
  ['truncated JSON', 1, (r) => JSON.stringify(r).slice(0, 500), /^mnist-eval: part-1\.json: not a JSON report \(.+\)\n$/],
];

for (const [title, k, edit, line] of CASES) {
  test(`merge refuses ${title}`, async (t) => {
    await refused(t, await edited(k, edit), line);
  });
}

test('merge refuses a report over the size cap before parsing it, and a folder given as a report', async (t) => {
  const cwd = await edited(1, (r) => JSON.stringify(r).replace(/}$/, `, "padding": "${'x'.repeat(16)}"}`));
  // A sparse file of 300 MiB: its size is refused from stat, nothing is read.
  const { truncate } = await import('node:fs/promises');
  await truncate(join(cwd, 'part-1.json'), 300 * 2 ** 20);
  await refused(t, cwd, 'part-1.json: 314572800 bytes, more than the limit of 268435456 bytes for a partial report (split the run into more shards)');
  const folder = await edited(1, () => {});
  const run = await mnistEval(['merge', 'part-0.json', '.', '--report', 'm.json', '--mosaic', 'm.png'], { cwd: folder });
  t.is(run.code, 1);
  t.is(run.stderr, 'mnist-eval: .: is a folder, expected a partial report (JSON)\n');
});

test('merge of 2 of 150 shards names the first 10 missing ones and how many more, in one line', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-merge-case-'));
  const runs = await Promise.all([0, 1].map((k) => mnistEval(['--limit', '200', '--shard', `${k}/150`, '--report', `p-${k}.json`, '--no-mosaic', '--quiet'], { cwd })));
  for (const run of runs) t.is(run.code, 0, run.stderr);
  const run = await mnistEval(['merge', 'p-0.json', 'p-1.json', '--report', 'm.json', '--mosaic', 'm.png'], { cwd });
  t.is(run.code, 1);
  t.is(run.stderr, 'mnist-eval: merge: shards 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … and 138 more of 150 are missing, expected one report for each of 0..149\n');
  const twin = await mnistEval(['merge', 'p-0.json', 'p-0.json'], { cwd });
  t.is(twin.stderr, 'mnist-eval: p-0.json: is shard 0 of 150, as p-0.json is\n');
});
