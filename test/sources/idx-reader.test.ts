import test from 'ava';
import { InputError } from '../../src/errors.js';
import { IdxReader } from '../../src/sources/idx-reader.js';
import { gzip, imageOf, removeTempDirs, tempDir, tinySet, writeFixture } from '../helpers/idx-fixtures.js';

test.after.always(removeTempDirs);

/** Images big enough that skipping most of them is over the few MiB at which a raw file seeks. */
const big = tinySet(90, 150, 350);

test('header, then records as asked for', async (t) => {
  const set = tinySet(6, 3, 4);
  const reader = new IdxReader(await writeFixture(await tempDir(), 'i.idx', set.imagesIdx), 'images', { highWaterMark: 16 });
  try {
    t.deepEqual((await reader.header()).dims, [6, 3, 4]);
    await reader.fill(2);
    t.true(reader.decoder.available >= 2);
    t.deepEqual(Buffer.from(reader.decoder.take(2)), Buffer.from(set.pixels.subarray(0, 2 * 12)));
    await reader.finish();
  } finally {
    reader.close();
  }
});

test('skip: the same records after seeking in a raw file as after reading past them in gzip', async (t) => {
  const dir = await tempDir();
  const raw = await writeFixture(dir, 'big.idx', big.imagesIdx);
  const gz = await writeFixture(dir, 'big.idx.gz', gzip(big.imagesIdx));
  for (const path of [raw, gz]) {
    const reader = new IdxReader(path, 'images', {});
    try {
      await reader.skip(85);
      await reader.fill(5);
      for (let i = 85; i < 90; i++) t.deepEqual(Buffer.from(reader.decoder.take(1)), Buffer.from(imageOf(big, i)), `${path}, image ${i}`);
      await reader.finish();
    } finally {
      reader.close();
    }
  }
});

test('finish: trailing bytes and truncation are found after a seek too', async (t) => {
  const dir = await tempDir();
  const trailing = await writeFixture(dir, 'trailing.idx', Buffer.concat([big.imagesIdx, Buffer.of(0)]));
  const truncated = await writeFixture(dir, 'truncated.idx', big.imagesIdx.subarray(0, big.imagesIdx.length - 1));
  const cases: [string, string][] = [
    [trailing, `${trailing}: trailing garbage after the 90 images the header declares`],
    [truncated, `${truncated}: truncated: header declares 90 images, data ends after 89 and 52499 of the 52500 bytes of the next`],
  ];
  for (const [path, message] of cases) {
    const reader = new IdxReader(path, 'images', {});
    try {
      await reader.skip(85);
      await t.throwsAsync(reader.finish(), { instanceOf: InputError, message });
    } finally {
      reader.close();
    }
  }
});

test('the kind is checked with the header', async (t) => {
  const path = await writeFixture(await tempDir(), 'labels.idx', tinySet().labelsIdx);
  const reader = new IdxReader(path, 'images', {});
  await t.throwsAsync(reader.header(), { instanceOf: InputError, message: `${path}: expected images: an IDX file with 3 dimensions (count x rows x cols), got 1 dimension (5)` });
  reader.close();
});

test('an error of the file not read yet is not an uncaught error', async (t) => {
  const reader = new IdxReader('/nonexistent/images.idx', 'images', {});
  await new Promise((resolve) => setTimeout(resolve, 50));
  await t.throwsAsync(reader.header(), { instanceOf: InputError, message: '/nonexistent/images.idx: no such file' });
  reader.close();
});
