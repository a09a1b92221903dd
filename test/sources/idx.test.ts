import test from 'ava';
import fc from 'fast-check';
import { InputError } from '../../src/errors.js';
import { IdxDecoder, expectIdxKind, idxNdimOf, parseIdxHeader } from '../../src/sources/idx.js';
import { idxBytes, tinySet } from '../helpers/idx-fixtures.js';

test('parseIdxHeader reads a 3-D uint8 header', (t) => {
  const header = parseIdxHeader(idxBytes([10000, 28, 28], []), 'x.idx');
  t.deepEqual(header, { dtype: 'uint8', dims: [10000, 28, 28], count: 10000, recordSize: 784, headerSize: 16 });
});

test('parseIdxHeader reads a 1-D header: one byte per record', (t) => {
  t.deepEqual(parseIdxHeader(idxBytes([60000], [])), { dtype: 'uint8', dims: [60000], count: 60000, recordSize: 1, headerSize: 8 });
});

test('parseIdxHeader reads dims as big-endian uint32', (t) => {
  const header = parseIdxHeader(Uint8Array.from([0, 0, 8, 2, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 2]));
  t.deepEqual(header.dims, [0x01020304, 2]);
});

test('parseIdxHeader ignores the bytes after the header, and respects byteOffset', (t) => {
  const bytes = Buffer.concat([Buffer.from([9, 9, 9]), idxBytes([2, 1, 3], [1, 2, 3, 4, 5, 6])]).subarray(3);
  t.deepEqual(parseIdxHeader(bytes).dims, [2, 1, 3]);
});

const headerErrors: [string, Uint8Array, string][] = [
  ['empty', new Uint8Array(0), 'x.idx: empty file'],
  ['3 bytes', Uint8Array.from([0, 0, 8]), 'x.idx: too short for an IDX file (3 bytes)'],
  ['bad magic', Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]), 'x.idx: not an IDX file (magic 0x12345678)'],
  ['float32', idxBytes([1, 2], [], 0x0d), 'x.idx: unsupported IDX dtype 0x0d (float32), expected 0x08 (unsigned byte)'],
  ['int8', idxBytes([1], [], 0x09), 'x.idx: unsupported IDX dtype 0x09 (int8), expected 0x08 (unsigned byte)'],
  ['int16', idxBytes([1], [], 0x0b), 'x.idx: unsupported IDX dtype 0x0b (int16), expected 0x08 (unsigned byte)'],
  ['int32', idxBytes([1], [], 0x0c), 'x.idx: unsupported IDX dtype 0x0c (int32), expected 0x08 (unsigned byte)'],
  ['float64', idxBytes([1], [], 0x0e), 'x.idx: unsupported IDX dtype 0x0e (float64), expected 0x08 (unsigned byte)'],
  ['unknown dtype', idxBytes([1], [], 0x07), 'x.idx: not an IDX file (magic 0x00000701, unknown dtype 0x07)'],
  ['no dims', Uint8Array.from([0, 0, 8, 0]), 'x.idx: not an IDX file (magic 0x00000800, no dimensions)'],
  ['short header', idxBytes([10, 28, 28], []).subarray(0, 10), 'x.idx: truncated IDX header: 10 of 16 bytes'],
  ['empty records', idxBytes([10, 0, 28], []), 'x.idx: IDX header declares empty records (dims 10x0x28)'],
  ['huge records', idxBytes([2, 0xffffffff, 0xffffffff], []), 'x.idx: IDX header declares images of 4294967295x4294967295 pixels (18446744065119617000 bytes each), over the limit of 16777216 bytes (4096x4096)'],
  ['16384x16384 images', idxBytes([10, 16384, 16384], []), 'x.idx: IDX header declares images of 16384x16384 pixels (268435456 bytes each), over the limit of 16777216 bytes (4096x4096)'],
  ['4097x4096 images', idxBytes([1, 4097, 4096], []), 'x.idx: IDX header declares images of 4097x4096 pixels (16781312 bytes each), over the limit of 16777216 bytes (4096x4096)'],
  ['huge 4-D records', idxBytes([1, 256, 256, 257], []), 'x.idx: IDX header declares records of 256x256x257 bytes (16842752 bytes each), over the limit of 16777216 bytes (4096x4096)'],
  ['too many records', idxBytes([0xffffffff, 4096, 4096], []), 'x.idx: IDX header declares an impossibly large size (dims 4294967295x4096x4096)'],
];

for (const [name, bytes, message] of headerErrors) {
  test(`parseIdxHeader rejects: ${name}`, (t) => {
    const error = t.throws(() => parseIdxHeader(bytes, 'x.idx'), { instanceOf: InputError });
    t.is(error?.message, message);
    t.is(error?.file, 'x.idx');
  });
}

test('a header of 4096x4096 images is the largest accepted; a decoder refuses a larger one at its header', (t) => {
  t.is(parseIdxHeader(idxBytes([3, 4096, 4096], []), 'x.idx').recordSize, 4096 * 4096);
  const decoder = new IdxDecoder('x.idx', 'images');
  t.throws(() => decoder.push(idxBytes([10, 16384, 16384], [])), {
    instanceOf: InputError, message: 'x.idx: IDX header declares images of 16384x16384 pixels (268435456 bytes each), over the limit of 16777216 bytes (4096x4096)',
  });
  t.is(decoder.available, 0);
});

test('idxNdimOf: the ndim of an IDX file of any dtype, else undefined', (t) => {
  t.is(idxNdimOf(idxBytes([5, 3, 4], [])), 3);
  t.is(idxNdimOf(idxBytes([5], [])), 1);
  t.is(idxNdimOf(idxBytes([2, 2], [], 0x0d)), 2, 'float32: recognised, for the decoder to refuse by name');
  t.is(idxNdimOf(Uint8Array.from([0, 0, 8])), undefined, 'too short');
  t.is(idxNdimOf(Uint8Array.from([0, 0, 8, 0])), undefined, 'no dimensions');
  t.is(idxNdimOf(Uint8Array.from([0, 0, 0x0a, 1])), undefined, 'unknown dtype');
  t.is(idxNdimOf(Buffer.from('PK\x03\x04')), undefined);
});

test('expectIdxKind tells images from labels', (t) => {
  t.notThrows(() => expectIdxKind(parseIdxHeader(idxBytes([5, 3, 4], [])), 'images', 'a'));
  t.notThrows(() => expectIdxKind(parseIdxHeader(idxBytes([5], [])), 'labels', 'b'));
  t.throws(() => expectIdxKind(parseIdxHeader(idxBytes([5], [])), 'images', 'labels.idx'), {
    instanceOf: InputError,
    message: 'labels.idx: expected images: an IDX file with 3 dimensions (count x rows x cols), got 1 dimension (5)',
  });
  t.throws(() => expectIdxKind(parseIdxHeader(idxBytes([5, 3, 4], [])), 'labels', 'images.idx'), {
    instanceOf: InputError,
    message: 'images.idx: expected labels: an IDX file with 1 dimension (count), got 3 dimensions (5x3x4)',
  });
});

/** Cuts `bytes` at the given positions (sorted, deduplicated) into chunks. */
function cut(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const bounds = [0, ...[...new Set(at)].sort((a, b) => a - b), bytes.length];
  return bounds.slice(1).map((end, i) => bytes.subarray(bounds[i], end));
}

/** Decodes all records of `chunks` one at a time, the slow obvious way. */
function decodeAll(chunks: readonly Uint8Array[], kind?: 'images' | 'labels'): Uint8Array[] {
  const decoder = new IdxDecoder('x.idx', kind);
  const records: Uint8Array[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    while (decoder.available > 0) records.push(Uint8Array.from(decoder.take(1)));
  }
  decoder.end();
  return records;
}

test('IdxDecoder: records inside one chunk are views, records straddling chunks are copies', (t) => {
  const set = tinySet(3, 2, 2); // header 16 bytes, records of 4 bytes
  const file = new Uint8Array(set.imagesIdx);
  const decoder = new IdxDecoder('x.idx', 'images');
  decoder.push(file.subarray(0, 22)); // the header, record 0 and half of record 1
  t.is(decoder.available, 1);
  const first = decoder.take(1);
  t.is(first.buffer, file.buffer, 'a view into the chunk');
  t.is(first.byteOffset, 16);
  decoder.push(file.subarray(22));
  const second = decoder.take(1);
  t.not(second.buffer, file.buffer, 'a copy across the boundary');
  t.deepEqual([...second], [...set.pixels.subarray(4, 8)]);
  t.deepEqual([...decoder.take(1)], [...set.pixels.subarray(8, 12)]);
  t.notThrows(() => decoder.end());
});

test('IdxDecoder: take(n) returns n records contiguous, across any number of chunks', (t) => {
  const set = tinySet(6, 2, 3);
  const decoder = new IdxDecoder('x.idx');
  for (const chunk of cut(set.imagesIdx, [1, 5, 17, 18, 19, 30, 31])) decoder.push(chunk);
  t.is(decoder.available, 6);
  t.deepEqual([...decoder.take(4)], [...set.pixels.subarray(0, 24)]);
  decoder.skip(1);
  t.deepEqual([...decoder.take(1)], [...set.pixels.subarray(30, 36)]);
  t.is(decoder.available, 0);
  t.throws(() => decoder.take(1), { instanceOf: RangeError });
});

test('IdxDecoder: any cutting of a file gives the same records', (t) => {
  const set = tinySet(7, 3, 2);
  const expected = Array.from({ length: 7 }, (_, i) => set.pixels.slice(i * 6, i * 6 + 6));
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: set.imagesIdx.length }), { maxLength: 12 }), (at) => {
      t.deepEqual(decodeAll(cut(set.imagesIdx, at), 'images'), expected);
    }),
  );
});

test('IdxDecoder: a header split byte by byte', (t) => {
  const set = tinySet(2, 1, 1);
  const chunks = Array.from(set.labelsIdx, (byte) => Uint8Array.of(byte));
  t.deepEqual(decodeAll(chunks, 'labels').map((record) => record[0]), set.labels);
});

test('IdxDecoder: zero records is a valid, empty file', (t) => {
  t.deepEqual(decodeAll([idxBytes([0, 28, 28], [])], 'images'), []);
});

test('IdxDecoder: truncated data names the declared count and where the data ends', (t) => {
  const set = tinySet(5, 3, 4);
  const decoder = new IdxDecoder('imgs.idx', 'images');
  decoder.push(set.imagesIdx.subarray(0, 16 + 2 * 12));
  t.throws(() => decoder.end(), { instanceOf: InputError, message: 'imgs.idx: truncated: header declares 5 images, data ends after 2' });
  const partial = new IdxDecoder('imgs.idx', 'images');
  partial.push(set.imagesIdx.subarray(0, 16 + 2 * 12 + 7));
  t.throws(() => partial.end(), { message: 'imgs.idx: truncated: header declares 5 images, data ends after 2 and 7 of the 12 bytes of the next' });
  const labels = new IdxDecoder('l.idx', 'labels');
  labels.push(set.labelsIdx.subarray(0, 9));
  t.throws(() => labels.end(), { message: 'l.idx: truncated: header declares 5 labels, data ends after 1' });
});

test('IdxDecoder: end() before the header is complete', (t) => {
  const empty = new IdxDecoder('e.idx');
  t.throws(() => empty.end(), { instanceOf: InputError, message: 'e.idx: empty file' });
  const short = new IdxDecoder('s.idx');
  short.push(Uint8Array.of(0, 0, 8, 3, 0, 0));
  t.throws(() => short.end(), { message: 's.idx: truncated IDX header: 6 of 16 bytes' });
});

test('IdxDecoder: bytes beyond the declared records are trailing garbage, seen as soon as pushed', (t) => {
  const set = tinySet(2, 2, 2);
  const decoder = new IdxDecoder('x.idx', 'images');
  decoder.push(set.imagesIdx);
  t.throws(() => decoder.push(Uint8Array.of(0)), { instanceOf: InputError, message: 'x.idx: trailing garbage after the 2 images the header declares' });
  const inOneChunk = new IdxDecoder('x.idx', 'images');
  t.throws(() => inOneChunk.push(Buffer.concat([set.imagesIdx, Buffer.from('junk')])), { message: 'x.idx: trailing garbage after the 2 images the header declares' });
});

test('IdxDecoder: a bad magic number is reported from the first 4 bytes', (t) => {
  const decoder = new IdxDecoder('x.idx');
  t.throws(() => decoder.push(Buffer.from('GIF89a')), { instanceOf: InputError, message: 'x.idx: not an IDX file (magic 0x47494638)' });
});

test('IdxDecoder: the kind is checked as soon as the header is complete', (t) => {
  const decoder = new IdxDecoder('t.idx', 'images');
  t.throws(() => decoder.push(idxBytes([3], [1, 2, 3])), { message: 't.idx: expected images: an IDX file with 3 dimensions (count x rows x cols), got 1 dimension (3)' });
});
