import test from 'ava';
import { gunzipHead, isGzip } from '../../src/sources/gzip.js';
import { gzip, removeTempDirs, tempDir, tinySet, writeFixture } from '../helpers/idx-fixtures.js';
import { bytesOf, failureOf } from './read-bytes.js';

test.after.always(removeTempDirs);

test('isGzip: the magic bytes 1f 8b', (t) => {
  t.true(isGzip(gzip(Buffer.from('x'))));
  t.false(isGzip(Buffer.of(0x1f)));
  t.false(isGzip(Buffer.of(0x1f, 0x8c)));
});

test('gunzipHead: the first bytes of a gzip stream inflate as far as they go', (t) => {
  const data = tinySet(50, 4, 4).imagesIdx;
  const gz = gzip(data);
  const head = gunzipHead(gz.subarray(0, gz.length >> 1));
  t.true(head.length > 0 && head.length < data.length);
  t.deepEqual(head, data.subarray(0, head.length));
  t.deepEqual(gunzipHead(gz), data);
  t.throws(() => gunzipHead(Buffer.concat([gz.subarray(0, 2), Buffer.of(7), gz.subarray(3)])), { message: 'unknown compression method' });
});

test('gzip is recognised by its magic bytes, whatever the name', async (t) => {
  const set = tinySet();
  const path = await writeFixture(await tempDir(), 'images.idx', gzip(set.imagesIdx));
  t.deepEqual(await bytesOf(path), set.imagesIdx);
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
