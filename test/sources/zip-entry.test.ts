import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openByteStream } from '../../src/sources/open.js';
import { centralRecordOffset, eventually, fdsOpenOn, gzip, removeTempDirs, tempDir, tinySet, writeFixture, writeZip } from '../helpers/idx-fixtures.js';
import { bytesOf, failureOf } from './read-bytes.js';

test.after.always(removeTempDirs);

test('zip: the entry named after the colon', async (t) => {
  const set = tinySet();
  const zip = await writeZip(join(await tempDir(), 'set.zip'), [
    { name: 'images.idx', data: set.imagesIdx },
    { name: 'labels.idx', data: set.labelsIdx, stored: true },
  ]);
  t.deepEqual(await bytesOf(`${zip}:images.idx`), set.imagesIdx);
  t.deepEqual(await bytesOf(`${zip}:labels.idx`), set.labelsIdx);
  t.is((await failureOf(`${zip}:nope.idx`)).message, `${zip}:nope.idx: no entry "nope.idx" in the archive (entries: images.idx, labels.idx)`);
});

test('zip: the only IDX entry, stored or deflated', async (t) => {
  const set = tinySet();
  const dir = await tempDir();
  const deflated = await writeZip(join(dir, 'd.zip'), [{ name: 'notes.txt', data: Buffer.from('hi') }, { name: 'x', data: set.imagesIdx }]);
  const stored = await writeZip(join(dir, 's.zip'), [{ name: 'x', data: set.imagesIdx, stored: true }]);
  t.deepEqual(await bytesOf(deflated), set.imagesIdx);
  t.deepEqual(await bytesOf(stored), set.imagesIdx);
});

test('zip: recognised by its magic bytes, whatever the name', async (t) => {
  const set = tinySet();
  const dir = await tempDir();
  const zip = await writeZip(join(dir, 'set.zip'), [{ name: 'x', data: set.imagesIdx }]);
  const renamed = await writeFixture(dir, 'set.data', await readFile(zip));
  t.deepEqual(await bytesOf(renamed), set.imagesIdx);
});

test('zip: small reads give the same bytes', async (t) => {
  const set = tinySet(20, 5, 5);
  const zip = await writeZip(join(await tempDir(), 'set.zip'), [{ name: 'x', data: set.imagesIdx }]);
  t.deepEqual(await bytesOf(zip, { highWaterMark: 64 }), set.imagesIdx);
});

test('zip: gzip inside an entry is decompressed too', async (t) => {
  const set = tinySet();
  const zip = await writeZip(join(await tempDir(), 'gz.zip'), [{ name: 'i.idx.gz', data: gzip(set.imagesIdx), stored: true }]);
  t.deepEqual(await bytesOf(`${zip}:i.idx.gz`), set.imagesIdx);
});

test('zip: an entry declaring more bytes than the limit is refused', async (t) => {
  const set = tinySet();
  const zip = await writeZip(join(await tempDir(), 'big.zip'), [{ name: 'x', data: set.imagesIdx }]);
  t.is(
    (await failureOf(zip, { maxEntryBytes: 50 })).message,
    `${zip}: zip entry "x" declares ${set.imagesIdx.length} bytes uncompressed, over the limit of 50`,
  );
});

test('zip: data longer or shorter than declared, a bad CRC, a bad local header, a truncated archive', async (t) => {
  const set = tinySet(20, 4, 4);
  const dir = await tempDir();
  const original = await readFile(await writeZip(join(dir, 'ok.zip'), [{ name: 'x', data: set.imagesIdx, stored: true }]));
  const central = centralRecordOffset(original);

  const lying = Buffer.from(original);
  lying.writeUInt32LE(100, central + 24); // uncompressed size
  const lyingPath = await writeFixture(dir, 'lying.zip', lying);
  t.is((await failureOf(lyingPath)).message, `${lyingPath}: zip entry "x" holds more than its declared 100 bytes`);

  const longer = Buffer.from(original);
  longer.writeUInt32LE(set.imagesIdx.length + 1, central + 24);
  const longerPath = await writeFixture(dir, 'longer.zip', longer);
  t.is((await failureOf(longerPath)).message, `${longerPath}: truncated: zip entry "x" holds ${set.imagesIdx.length} of its declared ${set.imagesIdx.length + 1} bytes`);

  const noHeader = Buffer.from(original);
  noHeader[0] ^= 0xff; // the local header's signature
  const noHeaderPath = await writeFixture(dir, 'no-header.zip', noHeader);
  t.is((await failureOf(`${noHeaderPath}:x`)).message, `${noHeaderPath}:x: zip entry "x" has no valid local header (corrupted archive)`);

  const badCrc = Buffer.from(original);
  badCrc.writeUInt32LE(badCrc.readUInt32LE(central + 16) ^ 1, central + 16);
  const badCrcPath = await writeFixture(dir, 'crc.zip', badCrc);
  t.is((await failureOf(badCrcPath)).message, `${badCrcPath}: zip entry "x" fails its CRC-32 check (corrupted archive)`);

  const flipped = Buffer.from(original);
  flipped[30 + 1 + 40] ^= 0x10; // a pixel of the stored entry (local header 30 bytes + name "x")
  const flippedPath = await writeFixture(dir, 'flipped.zip', flipped);
  t.is((await failureOf(flippedPath)).message, `${flippedPath}: zip entry "x" fails its CRC-32 check (corrupted archive)`);

  const deflated = await readFile(await writeZip(join(dir, 'deflated.zip'), [{ name: 'x', data: set.imagesIdx }]));
  const short = Buffer.from(deflated);
  const deflatedCentral = centralRecordOffset(short);
  short.writeUInt32LE(short.readUInt32LE(deflatedCentral + 20) >> 1, deflatedCentral + 20); // compressed size
  const shortPath = await writeFixture(dir, 'short.zip', short);
  t.is((await failureOf(shortPath)).message, `${shortPath}: truncated zip entry "x" (unexpected end of file)`);
});

test('zip: not a zip archive, or a truncated one', async (t) => {
  const dir = await tempDir();
  const fake = await writeFixture(dir, 'fake.zip', Buffer.from('this is not a zip archive at all'));
  t.regex((await failureOf(fake)).message, new RegExp(`^${fake}: not a valid zip archive \\(.+\\)$`));
  const zip = await readFile(await writeZip(join(dir, 'ok.zip'), [{ name: 'x', data: tinySet(30, 5, 5).imagesIdx }]));
  const cut = await writeFixture(dir, 'cut.zip', zip.subarray(0, zip.length >> 1));
  t.regex((await failureOf(cut)).message, new RegExp(`^${cut}: not a valid zip archive \\(.+\\)$`));
});

test('zip: a missing archive', async (t) => {
  const path = join(await tempDir(), 'missing.zip');
  t.is((await failureOf(`${path}:x`)).message, `${path}:x: no such file`);
});

test('zip: a failure closes the archive', async (t) => {
  const set = tinySet();
  const zip = await writeZip(join(await tempDir(), 'set.zip'), [{ name: 'x', data: set.imagesIdx }]);
  await failureOf(`${zip}:nope`);
  t.true(await eventually(() => fdsOpenOn(zip).length === 0));
});

test('destroying the stream while a zip is being opened closes it too', async (t) => {
  const set = tinySet();
  const zip = await writeZip(join(await tempDir(), 'set.zip'), [{ name: 'x', data: set.imagesIdx }]);
  const stream = openByteStream(zip);
  stream.destroy();
  t.true(await eventually(() => fdsOpenOn(zip).length === 0));
});
