import test from 'ava';
import { formatOf, zipEntryPath } from '../../src/sources/format-of.js';
import { gzip, removeTempDirs, tempDir, tinySet, writeFixture } from '../helpers/idx-fixtures.js';
import { failureOf } from './read-bytes.js';

test.after.always(removeTempDirs);

test('formatOf: gzip and zip by their magic bytes, whatever the name', (t) => {
  t.is(formatOf('x.idx', gzip(Buffer.from('x'))), 'gzip');
  t.is(formatOf('x.data', Buffer.of(0x50, 0x4b, 3, 4)), 'zip');
  t.is(formatOf('x.data', Buffer.of(0x50, 0x4b, 5, 6)), 'zip', 'an empty archive');
  t.is(formatOf('x.gz', Buffer.of(0x50, 0x4b, 3, 4)), 'zip');
});

test('formatOf: by the name, else raw', (t) => {
  const idx = tinySet().imagesIdx;
  t.is(formatOf('x.ZIP', idx), 'zip', 'a .zip that is not one fails as a zip archive');
  t.is(formatOf('x.idx', idx), 'raw');
  t.is(formatOf('x', Buffer.of(0x1f)), 'raw', 'one byte of the gzip magic is not gzip');
  t.throws(() => formatOf('x.idx', new Uint8Array(0)), { message: 'x.idx: empty file' });
  t.throws(() => formatOf('x.gz', idx), { message: 'x.gz: not a gzip file' });
});

test('zipEntryPath: archive.zip:entry, and nothing else', (t) => {
  t.deepEqual(zipEntryPath('data/set.zip:train/images.idx'), { archive: 'data/set.zip', entry: 'train/images.idx' });
  t.deepEqual(zipEntryPath('a.ZIP:b:c'), { archive: 'a.ZIP', entry: 'b:c' });
  t.is(zipEntryPath('set.zip'), undefined);
  t.is(zipEntryPath('set.zip:'), undefined);
  t.is(zipEntryPath('c:/data/images.idx'), undefined);
});

test('a file named .gz that is not gzip', async (t) => {
  const path = await writeFixture(await tempDir(), 'x.gz', tinySet().imagesIdx);
  t.is((await failureOf(path)).message, `${path}: not a gzip file`);
});
