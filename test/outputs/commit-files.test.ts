/**
 * Committing a set of outputs: all of them replace their targets, or none does. The failing rename
 * is made to fail on purpose (an injected rename, or a target turned into a non-empty folder after
 * staging: tests run as root, where permissions stop nothing), and the previous files must come
 * back with their bytes, their mtime and their inode.
 */
import test from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { OutputSet } from '../../src/outputs/output-set.js';
import { NODE_FS, type CommitFs } from '../../src/outputs/commit-files.js';

async function scratch(t: import('ava').ExecutionContext): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mnist-eval-commit-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/** Bytes, mtime and inode of each file, to compare before and after. */
const snapshot = async (paths: string[]) => Promise.all(paths.map(async (path) => {
  const info = await stat(path);
  return { path, bytes: (await readFile(path)).toString('hex'), mtimeMs: info.mtimeMs, ino: info.ino };
}));

/** Three previous outputs with an old mtime, and a set that stages new contents for them and one new file. */
async function previousOutputs(folder: string, fs?: CommitFs) {
  const old = ['a.json', 'b.png', 'c.csv'].map((name) => join(folder, name));
  for (const [i, path] of old.entries()) {
    await writeFile(path, `previous ${i}\n`);
    await utimes(path, new Date('2020-01-01'), new Date('2020-01-01'));
  }
  const outputs = new OutputSet({ fs });
  await outputs.stage(join(folder, 'new.txt'), 'brand new');
  for (const path of old) await outputs.stage(path, `next ${path}`);
  return { outputs, old, before: await snapshot(old) };
}

/** A rename that fails (EIO) when it would put a temporary file at `target`. */
const failingAt = (target: string): CommitFs => ({
  ...NODE_FS,
  rename: (from, to) => (to === target && from.endsWith('.tmp') ? Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })) : NODE_FS.rename(from, to)),
});

test('commit: when the last rename fails, the files renamed before it are taken back, bytes, mtime and inode', async (t) => {
  const folder = await scratch(t);
  const last = join(folder, 'c.csv');
  const { outputs, old, before } = await previousOutputs(folder, failingAt(last));
  await t.throwsAsync(outputs.commit(), { instanceOf: InputError, message: `${last}: cannot be replaced (EIO); no output was replaced` });
  t.deepEqual(await snapshot(old), before);
  t.deepEqual((await readdir(folder)).sort(), ['a.json', 'b.png', 'c.csv'], 'the new file is gone, and no temporary or backup is left');
  await outputs.abort();
  t.deepEqual((await readdir(folder)).sort(), ['a.json', 'b.png', 'c.csv']);
});

test('commit: a target turned into a non-empty folder after staging is refused, and nothing is replaced', async (t) => {
  const folder = await scratch(t);
  const { outputs, old, before } = await previousOutputs(folder);
  const last = join(folder, 'c.csv');
  await rm(last);
  await mkdir(last);
  await writeFile(join(last, 'inside'), 'someone else\'s');
  await t.throwsAsync(outputs.commit(), { instanceOf: InputError, message: `${last}: is a folder, expected a file path; no output was replaced` });
  t.deepEqual(await snapshot(old.slice(0, 2)), before.slice(0, 2));
  t.is(await readFile(join(last, 'inside'), 'utf8'), 'someone else\'s', 'the folder is left alone');
  t.deepEqual((await readdir(folder)).sort(), ['a.json', 'b.png', 'c.csv']);
});

test('commit: where hard links cannot be made, the previous files are moved aside and still come back', async (t) => {
  const folder = await scratch(t);
  const last = join(folder, 'c.csv');
  const noLinks: CommitFs = { ...failingAt(last), link: () => Promise.reject(Object.assign(new Error('EPERM'), { code: 'EPERM' })) };
  const { outputs, old, before } = await previousOutputs(folder, noLinks);
  await t.throwsAsync(outputs.commit(), { instanceOf: InputError });
  t.deepEqual(await snapshot(old), before);
  t.deepEqual((await readdir(folder)).sort(), ['a.json', 'b.png', 'c.csv']);
});

test('commit: a successful commit replaces every file and leaves no backup', async (t) => {
  const folder = await scratch(t);
  const { outputs, old } = await previousOutputs(folder);
  await outputs.commit();
  for (const path of old) t.is(await readFile(path, 'utf8'), `next ${path}`);
  t.deepEqual((await readdir(folder)).sort(), ['a.json', 'b.png', 'c.csv', 'new.txt']);
});

test('commit: a link in place of an output is replaced, not what it points at', async (t) => {
  const folder = await scratch(t);
  await writeFile(join(folder, 'kept.json'), 'kept');
  const { symlink } = await import('node:fs/promises');
  await symlink('kept.json', join(folder, 'latest.json'));
  const outputs = new OutputSet();
  await outputs.stage(join(folder, 'latest.json'), 'new');
  await outputs.commit();
  t.is(await readFile(join(folder, 'kept.json'), 'utf8'), 'kept');
  t.is(await readFile(join(folder, 'latest.json'), 'utf8'), 'new');
  await rename(join(folder, 'latest.json'), join(folder, 'x'));
  t.deepEqual((await readdir(folder)).sort(), ['kept.json', 'x']);
});

test('stage(-) goes to the given stdout, after the files are in place', async (t) => {
  const folder = await scratch(t);
  const chunks: Buffer[] = [];
  const { Writable } = await import('node:stream');
  const stdout = new Writable({ write: (chunk, _encoding, done) => (chunks.push(chunk as Buffer), done()) });
  const outputs = new OutputSet({ stdout });
  await outputs.stage('-', 'to stdout\n');
  await outputs.stage(join(folder, 'file.txt'), 'to a file');
  t.is(Buffer.concat(chunks).length, 0, 'nothing before commit');
  t.deepEqual(await outputs.commit(), ['-', join(folder, 'file.txt')]);
  t.is(Buffer.concat(chunks).toString(), 'to stdout\n');
  t.is(await readFile(join(folder, 'file.txt'), 'utf8'), 'to a file');
});
