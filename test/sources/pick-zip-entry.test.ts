import test from 'ava';
import { join } from 'node:path';
import type StreamZip from 'node-stream-zip';
import { namedZipEntry, pickZipEntry } from '../../src/sources/pick-zip-entry.js';
import { gzip, idxBytes, removeTempDirs, tempDir, tinySet, writeZip } from '../helpers/idx-fixtures.js';
import { bytesOf, failureOf } from './read-bytes.js';

test.after.always(removeTempDirs);

/** Entries as node-stream-zip lists them, with their data's first bytes (or none: unreadable). */
function archive(files: Record<string, Uint8Array | undefined>): { entries: StreamZip.ZipEntry[]; headOf: (entry: StreamZip.ZipEntry) => Promise<Uint8Array> } {
  const entries = Object.keys(files).map((name) => ({ name, isFile: !name.endsWith('/') }) as StreamZip.ZipEntry);
  const headOf = async (entry: StreamZip.ZipEntry): Promise<Uint8Array> => {
    const head = files[entry.name];
    if (head === undefined) throw new Error('unreadable entry');
    return head;
  };
  return { entries, headOf };
}

test('pickZipEntry: by the header alone, gzip or not; folders and other files are passed over', async (t) => {
  const set = tinySet();
  const { entries, headOf } = archive({ 'data/': undefined, 'notes.txt': Buffer.from('hi'), a: set.imagesIdx, b: gzip(set.labelsIdx) });
  t.is((await pickZipEntry('set.zip', entries, 'images', headOf)).name, 'a');
  t.is((await pickZipEntry('set.zip', entries, 'labels', headOf)).name, 'b');
});

test('pickZipEntry: an entry it cannot read is chosen by its name when no header matches', async (t) => {
  const { entries, headOf } = archive({ 'notes.txt': Buffer.from('hi'), 'train-images-idx3-ubyte': undefined });
  t.is((await pickZipEntry('set.zip', entries, 'images', headOf)).name, 'train-images-idx3-ubyte');
  await t.throwsAsync(pickZipEntry('set.zip', entries, 'labels', headOf), { message: 'set.zip: no IDX file in the archive (entries: notes.txt, train-images-idx3-ubyte)' });
});

test('pickZipEntry: error messages list five entries at the most', async (t) => {
  const names = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`${i}.txt`, Buffer.from('x')]));
  const { entries, headOf } = archive(names);
  await t.throwsAsync(pickZipEntry('set.zip', entries, undefined, headOf), { message: 'set.zip: no IDX file in the archive (entries: 0.txt, 1.txt, 2.txt, 3.txt, 4.txt, … (7 in all))' });
});

test('namedZipEntry: the entry of that name, or the list of entries', (t) => {
  const { entries } = archive({ a: undefined, b: undefined });
  t.is(namedZipEntry('set.zip', entries, 'b').name, 'b');
  t.throws(() => namedZipEntry('set.zip', entries, 'c'), { message: 'set.zip: no entry "c" in the archive (entries: a, b)' });
  t.throws(() => namedZipEntry('set.zip', [], 'c'), { message: 'set.zip: no entry "c" in the archive (entries: none)' });
});

test('zip: the entry whose IDX header is of the kind asked for', async (t) => {
  const set = tinySet();
  // Names that say nothing: only the headers tell images (3-D) from labels (1-D).
  const zip = await writeZip(join(await tempDir(), 'set.zip'), [
    { name: 'README.txt', data: Buffer.from('MNIST, tiny') },
    { name: 'b.bin', data: set.labelsIdx },
    { name: 'a.bin', data: set.imagesIdx },
  ]);
  t.deepEqual(await bytesOf(zip, { kind: 'images' }), set.imagesIdx);
  t.deepEqual(await bytesOf(zip, { kind: 'labels' }), set.labelsIdx);
  t.is((await failureOf(zip)).message, `${zip}: several IDX files in the archive (b.bin, a.bin); choose one as ${zip}:<entry>`);
});

test('zip: names break a tie between entries of the same kind', async (t) => {
  const set = tinySet();
  const zip = await writeZip(join(await tempDir(), 'set.zip'), [
    { name: 'scan.bin', data: set.imagesIdx },
    { name: 'mine-images-idx3-ubyte', data: set.imagesIdx },
  ]);
  t.deepEqual(await bytesOf(zip, { kind: 'images' }), set.imagesIdx);
  const two = await writeZip(join(await tempDir(), 'two.zip'), [
    { name: 'train-images-idx3-ubyte', data: set.imagesIdx },
    { name: 't10k-images-idx3-ubyte', data: set.imagesIdx },
  ]);
  t.is(
    (await failureOf(two, { kind: 'images' })).message,
    `${two}: several IDX images in the archive (train-images-idx3-ubyte, t10k-images-idx3-ubyte); choose one as ${two}:<entry>`,
  );
});

test('zip: no IDX entry, or none of the kind asked for', async (t) => {
  const set = tinySet();
  const dir = await tempDir();
  const none = await writeZip(join(dir, 'none.zip'), [{ name: 'a.txt', data: Buffer.from('hello') }, { name: 'b.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) }]);
  t.is((await failureOf(none, { kind: 'images' })).message, `${none}: no IDX file in the archive (entries: a.txt, b.png)`);
  const labelsOnly = await writeZip(join(dir, 'labels.zip'), [{ name: 'l.idx', data: set.labelsIdx }]);
  t.is((await failureOf(labelsOnly, { kind: 'images' })).message, `${labelsOnly}: no IDX images in the archive (found l.idx)`);
});

test('zip: an IDX entry of another dtype is still picked, for the decoder to report', async (t) => {
  const floats = idxBytes([2, 2, 2], new Uint8Array(32), 0x0d);
  const zip = await writeZip(join(await tempDir(), 'f.zip'), [{ name: 'notes.txt', data: Buffer.from('x') }, { name: 'f.idx', data: floats }]);
  t.deepEqual(await bytesOf(zip, { kind: 'images' }), floats);
});
