import test from 'ava';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isSeekableFile } from '../../src/sources/open.js';
import { withData } from '../helpers/data-dir.js';
import { REAL_IMAGES_GZ, REAL_IMAGES_RAW, REAL_LABELS_GZ, gzip, removeTempDirs, tempDir, tinySet, writeFixture, writeZip } from '../helpers/idx-fixtures.js';
import { bytesOf, failureOf } from './read-bytes.js';

test.after.always(removeTempDirs);

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
// From the data folder's README.md: the decompressed MNIST test set.
const IMAGES_MD5 = '2646ac647ad5339dbf082846283269ea';
const LABELS_MD5 = '27ae3e4e09519cfbb04c329615203637';

test('a raw file: its bytes', async (t) => {
  t.is(md5(await bytesOf(REAL_IMAGES_RAW)), IMAGES_MD5);
});

test('a .gz file: the original MNIST bytes', withData(async (t) => {
  t.is(md5(await bytesOf(REAL_IMAGES_GZ)), IMAGES_MD5);
  t.is(md5(await bytesOf(REAL_LABELS_GZ)), LABELS_MD5);
}));

test('small reads: the stream is the same at any highWaterMark', async (t) => {
  const set = tinySet(20, 5, 5);
  const dir = await tempDir();
  const raw = await writeFixture(dir, 'i.idx', set.imagesIdx);
  const gz = await writeFixture(dir, 'i.idx.gz', gzip(set.imagesIdx));
  t.deepEqual(await bytesOf(raw, { highWaterMark: 7 }), set.imagesIdx);
  t.deepEqual(await bytesOf(gz, { highWaterMark: 64 }), set.imagesIdx);
});

test('start: a raw file is read from that byte on; gzip from its start', async (t) => {
  const set = tinySet();
  const dir = await tempDir();
  const raw = await writeFixture(dir, 'i.idx', set.imagesIdx);
  const gz = await writeFixture(dir, 'i.idx.gz', gzip(set.imagesIdx));
  t.deepEqual(await bytesOf(raw, { start: 16 }), set.imagesIdx.subarray(16));
  t.deepEqual(await bytesOf(gz, { start: 16 }), set.imagesIdx);
});

test('file errors: missing, empty, a directory', async (t) => {
  const dir = await tempDir();
  t.is((await failureOf(join(dir, 'missing.gz'))).message, `${join(dir, 'missing.gz')}: no such file`);
  const empty = await writeFixture(dir, 'empty.idx', new Uint8Array(0));
  t.is((await failureOf(empty)).message, `${empty}: empty file`);
  const emptyGz = await writeFixture(dir, 'empty.gz', new Uint8Array(0));
  t.is((await failureOf(emptyGz)).message, `${emptyGz}: empty file`);
  await mkdir(join(dir, 'folder'));
  t.is((await failureOf(join(dir, 'folder'))).message, `${join(dir, 'folder')}: is a directory, expected a file`);
});

test('file errors: permission denied', async (t) => {
  const dir = await tempDir();
  await chmod(dir, 0o755);
  const path = await writeFixture(dir, 'secret.idx', tinySet().imagesIdx);
  await chmod(path, 0o000);
  if (process.getuid?.() !== 0) {
    t.is((await failureOf(path)).message, `${path}: permission denied`);
    return;
  }
  // chmod 000 does not stop root: the same read runs in a child process that loads the code as
  // root, then becomes the user nobody (who may not even reach the project's folder) and reads.
  const readBytes = new URL('./read-bytes.ts', import.meta.url).href;
  const script = [
    `const { failureOf } = await import(${JSON.stringify(readBytes)});`,
    'process.setgid(65534);',
    'process.setuid(65534);',
    `console.log((await failureOf(${JSON.stringify(path)})).message);`,
  ].join(' ');
  const child = spawnSync(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.is(child.stdout.trim(), `${path}: permission denied`, child.stderr);
});

test('isSeekableFile: raw regular files only', async (t) => {
  const set = tinySet();
  const dir = await tempDir();
  const raw = await writeFixture(dir, 'i.idx', set.imagesIdx);
  const gz = await writeFixture(dir, 'i.idx.gz', gzip(set.imagesIdx));
  const zip = await writeZip(join(dir, 'set.zip'), [{ name: 'x', data: set.imagesIdx, stored: true }]);
  t.true(await isSeekableFile(raw));
  t.false(await isSeekableFile(gz));
  t.false(await isSeekableFile(zip));
  t.false(await isSeekableFile(`${zip}:x`));
  t.false(await isSeekableFile('-'));
  t.false(await isSeekableFile(dir), 'a directory');
  t.false(await isSeekableFile(join(dir, 'missing.idx')), 'errors count as false');
  t.false(await isSeekableFile(await writeFixture(dir, 'empty.idx', new Uint8Array(0))), 'an empty file');
});
