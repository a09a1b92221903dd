import test from 'ava';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from '../../src/errors.js';
import { openByteStream, toInputError, type OpenOptions } from '../../src/sources/open.js';
import {
  REAL_IMAGES_GZ,
  REAL_IMAGES_RAW,
  REAL_LABELS_GZ,
  centralRecordOffset,
  eventually,
  fdsOpenOn,
  gzip,
  idxBytes,
  removeTempDirs,
  tempDir,
  tinySet,
  writeFixture,
  writeZip,
} from '../helpers/idx-fixtures.js';

test.after.always(removeTempDirs);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const bytesOf = (path: string, options?: OpenOptions): Promise<Buffer> => readAll(openByteStream(path, options));

/** The error `path` fails with; fails the test when it reads cleanly. */
async function failureOf(path: string, options?: OpenOptions): Promise<InputError> {
  try {
    await bytesOf(path, options);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`${path} read without error`);
}

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
// From ../shared/data/README.md: the decompressed MNIST test set.
const IMAGES_MD5 = '2646ac647ad5339dbf082846283269ea';
const LABELS_MD5 = '27ae3e4e09519cfbb04c329615203637';

test('a raw file: its bytes', async (t) => {
  t.is(md5(await bytesOf(REAL_IMAGES_RAW)), IMAGES_MD5);
});

test('a .gz file: the original MNIST bytes', async (t) => {
  t.is(md5(await bytesOf(REAL_IMAGES_GZ)), IMAGES_MD5);
  t.is(md5(await bytesOf(REAL_LABELS_GZ)), LABELS_MD5);
});

test('gzip is recognised by its magic bytes, whatever the name', async (t) => {
  const set = tinySet();
  const path = await writeFixture(await tempDir(), 'images.idx', gzip(set.imagesIdx));
  t.deepEqual(await bytesOf(path), set.imagesIdx);
});

test('small reads: the stream is the same at any highWaterMark', async (t) => {
  const set = tinySet(20, 5, 5);
  const dir = await tempDir();
  const raw = await writeFixture(dir, 'i.idx', set.imagesIdx);
  const gz = await writeFixture(dir, 'i.idx.gz', gzip(set.imagesIdx));
  t.deepEqual(await bytesOf(raw, { highWaterMark: 7 }), set.imagesIdx);
  t.deepEqual(await bytesOf(gz, { highWaterMark: 64 }), set.imagesIdx);
});

test('a file named .gz that is not gzip', async (t) => {
  const path = await writeFixture(await tempDir(), 'x.gz', tinySet().imagesIdx);
  t.is((await failureOf(path)).message, `${path}: not a gzip file`);
});

test('gzip errors: truncated, CRC, length, trailing garbage', async (t) => {
  const dir = await tempDir();
  const gz = gzip(tinySet(50, 4, 4).imagesIdx);
  const flip = (at: number): Buffer => {
    const copy = Buffer.from(gz);
    copy[at] ^= 0x01;
    return copy;
  };
  const cases: [string, Buffer, string][] = [
    ['truncated.gz', gz.subarray(0, gz.length - 10), 'truncated gzip data (unexpected end of file)'],
    ['truncated-trailer.gz', gz.subarray(0, gz.length - 2), 'truncated gzip data (unexpected end of file)'],
    ['crc.gz', flip(gz.length - 8), 'corrupted gzip data (incorrect data check)'],
    ['isize.gz', flip(gz.length - 4), 'corrupted gzip data (incorrect length check)'],
    ['method.gz', Buffer.concat([gz.subarray(0, 2), Buffer.of(7), gz.subarray(3)]), 'corrupted gzip data (unknown compression method)'],
    ['trailing.gz', Buffer.concat([gz, Buffer.from('trailing junk')]), 'trailing garbage after the gzip data'],
  ];
  for (const [name, bytes, problem] of cases) {
    const path = await writeFixture(dir, name, bytes);
    t.is((await failureOf(path)).message, `${path}: ${problem}`, name);
  }
});

test('gzip: concatenated members are one stream, trailing zero padding is ignored (as zlib does)', async (t) => {
  const dir = await tempDir();
  const gz = gzip(Buffer.from('abc'));
  t.is((await bytesOf(await writeFixture(dir, 'two.gz', Buffer.concat([gz, gzip(Buffer.from('def'))])))).toString(), 'abcdef');
  t.is((await bytesOf(await writeFixture(dir, 'pad.gz', Buffer.concat([gz, Buffer.alloc(16)])))).toString(), 'abc');
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
  const denied = Object.assign(new Error("EACCES: permission denied, open 'x'"), { code: 'EACCES', syscall: 'open' });
  t.is(toInputError('x.gz', denied).message, 'x.gz: permission denied');
  if (process.getuid?.() === 0) {
    t.log('running as root: chmod 000 does not deny reading, so only the translation is checked');
    return;
  }
  const path = await writeFixture(await tempDir(), 'secret.idx', tinySet().imagesIdx);
  await chmod(path, 0o000);
  t.is((await failureOf(path)).message, `${path}: permission denied`);
});

test('toInputError passes through errors that are not the user\'s', (t) => {
  const bug = new TypeError('x is undefined');
  t.is(toInputError('x.gz', bug), bug);
});

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

test('zip: data longer than declared, a bad CRC, a truncated archive', async (t) => {
  const set = tinySet(20, 4, 4);
  const dir = await tempDir();
  const original = await readFile(await writeZip(join(dir, 'ok.zip'), [{ name: 'x', data: set.imagesIdx, stored: true }]));
  const central = centralRecordOffset(original);

  const lying = Buffer.from(original);
  lying.writeUInt32LE(100, central + 24); // uncompressed size
  const lyingPath = await writeFixture(dir, 'lying.zip', lying);
  t.is((await failureOf(lyingPath)).message, `${lyingPath}: zip entry "x" holds more than its declared 100 bytes`);

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

test('destroying the stream closes the file', async (t) => {
  const dir = await tempDir();
  const path = await writeFixture(dir, 'big.idx', await readFile(REAL_IMAGES_RAW));
  const stream = openByteStream(path, { highWaterMark: 64 * 1024 });
  const chunks = stream[Symbol.asyncIterator]();
  await chunks.next();
  t.is(fdsOpenOn(path).length, 1, 'open while reading');
  stream.destroy();
  t.true(await eventually(() => fdsOpenOn(path).length === 0), 'closed after destroy');
});

test('destroying the stream while a zip is being opened closes it too', async (t) => {
  const set = tinySet();
  const zip = await writeZip(join(await tempDir(), 'set.zip'), [{ name: 'x', data: set.imagesIdx }]);
  const stream = openByteStream(zip);
  stream.destroy();
  t.true(await eventually(() => fdsOpenOn(zip).length === 0));
});

test('an error closes the file', async (t) => {
  const dir = await tempDir();
  const real = await readFile(REAL_IMAGES_GZ);
  const path = await writeFixture(dir, 'cut.gz', real.subarray(0, real.length >> 1));
  await failureOf(path, { highWaterMark: 16 * 1024 });
  t.true(await eventually(() => fdsOpenOn(path).length === 0));
});
