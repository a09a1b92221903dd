import test from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { OutputSet, tempPathFor, writeFileAtomic } from '../../src/outputs/output-set.js';
import { makeFolders, makeFoldersSync } from '../../src/outputs/folders.js';

/** A fresh folder per test, removed afterwards. */
async function scratch(t: import('ava').ExecutionContext): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mnist-eval-atomic-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/** Every file below `folder`, relative, sorted. */
async function listAll(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1) + (entry.isDirectory() ? '/' : ''))
    .sort();
}

test('tempPathFor: a hidden name of bounded length in the same folder, without the target\'s name', (t) => {
  const temp = tempPathFor('/out/errors.png');
  t.regex(temp, /^\/out\/\.mnist-eval\.[0-9a-f]{12}\.tmp$/);
  t.not(tempPathFor('/out/errors.png'), temp);
  t.is(basename(tempPathFor(`/out/${'x'.repeat(255)}`)).length, '.mnist-eval.0123456789ab.tmp'.length);
});

test('writeFileAtomic writes the data and leaves no temporary file', async (t) => {
  const folder = await scratch(t);
  await writeFileAtomic(join(folder, 'a.bin'), new Uint8Array([1, 2, 3]));
  await writeFileAtomic(join(folder, 'b.txt'), 'hello\n');
  t.deepEqual(await listAll(folder), ['a.bin', 'b.txt']);
  t.deepEqual([...(await readFile(join(folder, 'a.bin')))], [1, 2, 3]);
  t.is(await readFile(join(folder, 'b.txt'), 'utf8'), 'hello\n');
});

test('writeFileAtomic into a missing folder creates it', async (t) => {
  const folder = await scratch(t);
  const path = join(folder, 'out', 'nested', 'errors.json');
  await writeFileAtomic(path, '{}');
  t.is(await readFile(path, 'utf8'), '{}');
  t.deepEqual(await listAll(folder), ['out/', 'out/nested/', 'out/nested/errors.json']);
});

test('writeFileAtomic replaces an existing file whole', async (t) => {
  const folder = await scratch(t);
  const path = join(folder, 'report.json');
  await writeFile(path, 'old and longer content');
  await writeFileAtomic(path, 'new');
  t.is(await readFile(path, 'utf8'), 'new');
});

test('writeFileAtomic that fails removes its temporary file', async (t) => {
  const folder = await scratch(t);
  const target = join(folder, 'taken');
  await mkdir(target);
  await writeFile(join(target, 'inside'), 'x'); // renaming a file onto a non-empty folder fails
  await t.throwsAsync(writeFileAtomic(target, 'data'));
  t.deepEqual(await listAll(folder), ['taken/', 'taken/inside']);
});

test('OutputSet: nothing appears before commit, everything after, no temporaries left', async (t) => {
  const folder = await scratch(t);
  const outputs = new OutputSet();
  await outputs.stage(join(folder, 'errors.png'), new Uint8Array([137, 80]));
  await outputs.stage(join(folder, 'errors.json'), '{"tiles":[]}');
  t.false(existsSync(join(folder, 'errors.png')));
  t.false(existsSync(join(folder, 'errors.json')));
  const staged = await listAll(folder);
  t.is(staged.length, 2);
  t.true(staged.every((name) => name.startsWith('.') && name.endsWith('.tmp')), staged.join());

  const committed = await outputs.commit();
  t.deepEqual(committed, [join(folder, 'errors.png'), join(folder, 'errors.json')]);
  t.deepEqual(await listAll(folder), ['errors.json', 'errors.png']);
  t.deepEqual([...(await readFile(join(folder, 'errors.png')))], [137, 80]);
  t.is(await readFile(join(folder, 'errors.json'), 'utf8'), '{"tiles":[]}');
  await outputs.abort(); // after commit: does nothing
  t.deepEqual(await listAll(folder), ['errors.json', 'errors.png']);
});

test('OutputSet: abort leaves no files, no temporaries and no folders it created', async (t) => {
  const folder = await scratch(t);
  await writeFile(join(folder, 'keep.txt'), 'mine');
  const outputs = new OutputSet();
  await outputs.stage(join(folder, 'errors.png'), 'png');
  await outputs.stage(join(folder, 'new', 'deeper', 'errors.json'), 'json');
  const stream = outputs.openStream(join(folder, 'new', 'predictions.csv'));
  stream.write('index,label\n');
  await outputs.abort();
  t.deepEqual(await listAll(folder), ['keep.txt']);
  await outputs.abort(); // twice is fine
  t.throws(() => outputs.stage(join(folder, 'late'), 'x'), { message: 'OutputSet: cannot stage, the set is already aborted' });
});

test('OutputSet: abort removes nested folders created one inside another, newest first', async (t) => {
  const folder = await scratch(t);
  const outputs = new OutputSet();
  await outputs.stage(join(folder, 'a', 'one.txt'), '1');
  await outputs.stage(join(folder, 'a', 'b', 'two.txt'), '2');
  await outputs.abort();
  t.deepEqual(await listAll(folder), []);
});

test('OutputSet: abort while stages are still writing removes them too', async (t) => {
  const folder = await scratch(t);
  const outputs = new OutputSet();
  const writes = [outputs.stage(join(folder, 'a', 'big.bin'), new Uint8Array(4 << 20)), outputs.stage(join(folder, 'b.txt'), 'b')];
  await outputs.abort();
  await Promise.allSettled(writes);
  t.deepEqual(await listAll(folder), []);
});

test('OutputSet: a stage into a missing folder creates it on commit', async (t) => {
  const folder = await scratch(t);
  const outputs = new OutputSet();
  await outputs.stage(join(folder, 'out', 'errors.png'), 'png');
  await outputs.commit();
  t.deepEqual(await listAll(folder), ['out/', 'out/errors.png']);
});

test('OutputSet: openStream collects chunks and commits them with the rest', async (t) => {
  const folder = await scratch(t);
  const outputs = new OutputSet();
  const stream = outputs.openStream(join(folder, 'csv', 'predictions.csv'));
  t.is(stream.path, join(folder, 'csv', 'predictions.csv'));
  stream.write('index,label,predicted\n');
  for (let i = 0; i < 1000; i++) stream.write(`${i},${i % 10},${(i + 1) % 10}\n`);
  await outputs.stage(join(folder, 'report.json'), '{}');
  t.false(existsSync(stream.path));
  await outputs.commit();
  const lines = (await readFile(stream.path, 'utf8')).split('\n');
  t.is(lines.length, 1002);
  t.is(lines[1000], '999,9,0');
  t.deepEqual(await listAll(folder), ['csv/', 'csv/predictions.csv', 'report.json']);
  stream.write('ignored after commit\n');
  t.is((await readFile(stream.path, 'utf8')).split('\n').length, 1002);
});

test('OutputSet: a failed stage blocks commit, and abort still cleans up', async (t) => {
  const folder = await scratch(t);
  await writeFile(join(folder, 'file'), 'not a folder');
  const outputs = new OutputSet();
  await outputs.stage(join(folder, 'good.txt'), 'good');
  await t.throwsAsync(outputs.stage(join(folder, 'file', 'child.txt'), 'x'));
  // The failed write is named by its output, not by the temporary file.
  await t.throwsAsync(outputs.commit(), { instanceOf: InputError, message: `${join(folder, 'file', 'child.txt')}: cannot write in ${join(folder, 'file')} (ENOTDIR)` });
  await outputs.abort();
  t.deepEqual(await listAll(folder), ['file']);
});

test('OutputSet: the same path cannot be staged twice', async (t) => {
  const folder = await scratch(t);
  const outputs = new OutputSet();
  await outputs.stage(join(folder, 'a.txt'), 'a');
  t.throws(() => outputs.stage(join(folder, '.', 'a.txt'), 'b'), { message: `OutputSet: ${join(folder, '.', 'a.txt')} is already staged` });
  t.throws(() => outputs.openStream(join(folder, 'a.txt')), { message: /already staged/ });
  await outputs.abort();
});

test('OutputSet.checkWritable: fine for new files in new folders, and creates nothing', async (t) => {
  const folder = await scratch(t);
  await new OutputSet().checkWritable([join(folder, 'a.png'), join(folder, 'x', 'y', 'b.json')]);
  t.deepEqual(await listAll(folder), []);
});

test('OutputSet.checkWritable: folders, duplicates and files in the way are InputErrors', async (t) => {
  const folder = await scratch(t);
  await mkdir(join(folder, 'dir'));
  await writeFile(join(folder, 'file'), '');
  const outputs = new OutputSet();
  const dir = join(folder, 'dir');
  await t.throwsAsync(outputs.checkWritable([dir]), { instanceOf: InputError, message: `${dir}: is a folder, expected a file path` });
  const same = join(folder, 'a.png');
  await t.throwsAsync(outputs.checkWritable([same, join(folder, '.', 'a.png')]), {
    instanceOf: InputError,
    message: /given for two different outputs/,
  });
  const under = join(folder, 'file', 'x.json');
  await t.throwsAsync(outputs.checkWritable([under]), { instanceOf: InputError, message: `${under}: ${join(folder, 'file')} is not a folder` });
  t.is(basename(dir), 'dir');
});

test('OutputSet.openStream: write resolves at once below the high-water mark, after drain above it', async (t) => {
  const outputs = new OutputSet();
  const path = join(await scratch(t), 'drain.csv');
  const stream = outputs.openStream(path);
  let small = false;
  await stream.write('index,label\n').then(() => (small = true));
  t.true(small);
  const big = Buffer.alloc(4 * 2 ** 20, 'x');
  let drained = false;
  const pending = stream.write(big).then(() => (drained = true));
  await Promise.resolve();
  t.false(drained, 'a 4 MiB write cannot fit under the 16 KiB high-water mark');
  await pending;
  t.true(drained);
  await outputs.commit();
  t.is((await readFile(path)).length, 'index,label\n'.length + big.length);
});

test('OutputSet.checkWritable: labelled targets that meet name both outputs', async (t) => {
  const folder = await scratch(t);
  const report = { path: join(folder, 'x.json'), as: '--report' };
  const tiles = { path: join(folder, '.', 'x.json'), as: "the mosaic's tile index (--mosaic x.png)" };
  await t.throwsAsync(new OutputSet().checkWritable([report, tiles]), {
    instanceOf: InputError,
    message: `${tiles.path}: given as --report and as the mosaic's tile index (--mosaic x.png)`,
  });
  t.deepEqual(await listAll(folder), []);
});

test('OutputSet.checkWritable: a folder where no file can be created (/proc) is an InputError, and the probe leaves nothing', async (t) => {
  const folder = await scratch(t);
  await new OutputSet().checkWritable([{ path: join(folder, 'new', 'r.json'), as: '--report' }]);
  t.deepEqual(await listAll(folder), [], 'the probe file is removed');
  await t.throwsAsync(new OutputSet().checkWritable(['/proc/nope/r.json']), { instanceOf: InputError, message: /^\/proc\/nope\/r\.json: cannot write in \/proc \(E[A-Z]+\)$/ });
});

test('OutputSet: stage and openStream under /proc fail with an InputError instead of looping in mkdir', async (t) => {
  t.timeout(20_000, 'mkdir under /proc did not return');
  const outputs = new OutputSet();
  await t.throwsAsync(outputs.stage('/proc/nope/deeper/r.json', '{}'), { instanceOf: InputError, message: /^\/proc\/nope\/deeper\/r\.json: cannot create the folder \/proc\/nope \(ENOENT\)$/ });
  t.throws(() => outputs.openStream('/proc/nope/p.csv'), { instanceOf: InputError, message: /^\/proc\/nope\/p\.csv: cannot create the folder \/proc\/nope \(ENOENT\)$/ });
  await outputs.abort();
});

test('makeFolders creates the missing folders one by one and returns the outermost, as mkdir -p does', async (t) => {
  const folder = await scratch(t);
  t.is(await makeFolders(join(folder, 'a', 'b')), join(folder, 'a'));
  t.is(await makeFolders(join(folder, 'a', 'b')), undefined);
  t.is(makeFoldersSync(join(folder, 'a', 'c', 'd')), join(folder, 'a', 'c'));
  t.deepEqual(await listAll(folder), ['a/', 'a/b/', 'a/c/', 'a/c/d/']);
  await writeFile(join(folder, 'file'), '');
  await t.throwsAsync(makeFolders(join(folder, 'file', 'x')), { code: 'ENOTDIR' });
});
