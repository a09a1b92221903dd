import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { InputError } from '../../src/errors.js';
import { openImagesAhead, readBatches$ } from '../../src/sources/mnist.js';
import { eventually, fdsOpenOn, gzip, removeTempDirs, tempDir, tinySet, writeFixture } from '../helpers/idx-fixtures.js';
import type { Batch } from '../../src/types.js';

test.after.always(removeTempDirs);

/** Each batch as plain numbers, to compare two reads. */
const plain = (batches: readonly Batch[]) => batches.map(({ start, count, pixels, labels }) => ({ start, count, pixels: [...pixels], labels: [...labels] }));

async function files(gz: boolean, set = tinySet(23)) {
  const dir = await tempDir();
  const wrap = gz ? gzip : (bytes: Uint8Array) => bytes;
  return {
    dir,
    images: await writeFixture(dir, gz ? 'images.idx.gz' : 'images.idx', wrap(set.imagesIdx)),
    labels: await writeFixture(dir, gz ? 'labels.idx.gz' : 'labels.idx', wrap(set.labelsIdx)),
  };
}

for (const gz of [false, true]) {
  test(`images opened ahead give the same batches as images opened when read (${gz ? 'gzip' : 'raw'}), with an offset and a limit too`, async (t) => {
    const { images, labels } = await files(gz);
    for (const range of [{}, { offset: 4, limit: 11 }]) {
      const opened = await lastValueFrom(readBatches$(images, labels, 5, range).pipe(toArray()));
      const ahead = await openImagesAhead(images);
      t.truthy(ahead);
      const read = await lastValueFrom(readBatches$(images, labels, 5, { ...range, images: ahead }).pipe(toArray()));
      t.deepEqual(plain(read), plain(opened));
      t.is(read.length, range.limit === undefined ? 5 : 3);
    }
  });
}

test('images opened ahead and never read close with close(): no file is left open', async (t) => {
  const { images } = await files(true);
  const ahead = await openImagesAhead(images);
  t.true(await eventually(() => fdsOpenOn(images).length === 1), 'the file is open, being read ahead');
  ahead!.close();
  t.true(await eventually(() => fdsOpenOn(images).length === 0));
});

test('a file that fails while read ahead fails the run with the same error as when opened as it is read', async (t) => {
  const { images, labels } = await files(true);
  const { readFile, writeFile } = await import('node:fs/promises');
  const bytes = await readFile(images);
  await writeFile(images, bytes.subarray(0, bytes.length - 12));
  const opened = await t.throwsAsync(lastValueFrom(readBatches$(images, labels, 5)), { instanceOf: InputError });
  const ahead = await openImagesAhead(images);
  // Give the read ahead time to meet the cut before anything is asked of it.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const read = await t.throwsAsync(lastValueFrom(readBatches$(images, labels, 5, { images: ahead })), { instanceOf: InputError });
  t.is(read.message, opened.message);
});

test('standard input, a pipe and a URL are not opened ahead (they are read once, when the run reads them)', async (t) => {
  const dir = await tempDir();
  const fifo = join(dir, 'images.fifo');
  execFileSync('mkfifo', [fifo]);
  t.is(await openImagesAhead('-'), undefined);
  t.is(await openImagesAhead(fifo), undefined);
  t.is(await openImagesAhead('https://example.invalid/images.idx.gz'), undefined);
  t.is(await openImagesAhead('s3://bucket/images.idx.gz'), undefined);
});
