/**
 * Zip archives built to make the search for the IDX entry expensive: many directory records that
 * all point at one compressed chunk which inflates to megabytes. Looking at an entry reads 4 KiB
 * and inflates at most 4 KiB, and an archive with more files than are looked through is refused,
 * so rejecting one costs the same whatever its entries would inflate to.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import test from 'ava';
import StreamZip from 'node-stream-zip';
import { InputError } from '../../src/errors.js';
import { MAX_PROBED_ENTRIES, pickZipEntry } from '../../src/sources/pick-zip-entry.js';
import { ENTRY_HEAD_BYTES, zipDataOffset, zipEntryHead } from '../../src/sources/zip-entry.js';
import { removeTempDirs, tempDir, tinySet } from '../helpers/idx-fixtures.js';
import { failureOf } from './read-bytes.js';
import { INFLATED, overlappingZip } from './zip-builder.js';

test.after.always(removeTempDirs);

test('900 entries pointing at one 64 MiB chunk: each is looked at through 4 KiB, and the archive is refused', async (t) => {
  const path = join(await tempDir(), 'overlap.zip');
  const zip = overlappingZip(900);
  await writeFile(path, zip);
  t.true(zip.length < 200_000, `${zip.length} bytes`);
  // Every entry would inflate to 64 MiB: 56 GiB in all. What looking at them inflates is counted here.
  const handle = await open(path, 'r');
  const entries = Object.values(await new StreamZip.async({ fd: handle.fd, storeEntries: true }).entries());
  let inflated = 0;
  const error = await t.throwsAsync(pickZipEntry(path, entries, 'images', async (entry) => {
    const head = await zipEntryHead(handle, entry, await zipDataOffset(path, handle, entry));
    inflated += head.length;
    return head;
  }), { instanceOf: InputError });
  await handle.close();
  t.is(error?.message, `${path}: no IDX file in the archive (entries: e0000, e0001, e0002, e0003, e0004, … (900 in all))`);
  t.is(inflated, 900 * ENTRY_HEAD_BYTES);
  // Through the stream, as the CLI opens it: the same line.
  t.is((await failureOf(path, { kind: 'images' })).message, `${path}: no IDX file in the archive (entries: e0000, e0001, e0002, e0003, e0004, … (900 in all))`);
});

test(`an archive of more than ${MAX_PROBED_ENTRIES} files is refused before any is looked at, unless the path names the entry`, async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'many.zip');
  await writeFile(path, overlappingZip(3000));
  let looked = 0;
  const handle = await open(path, 'r');
  const entries = Object.values(await new StreamZip.async({ fd: handle.fd, storeEntries: true }).entries());
  await handle.close();
  const message = `${path}: holds 3000 files, more than the 1000 looked through for an IDX file; choose one as ${path}:<entry>`;
  await t.throwsAsync(pickZipEntry(path, entries, 'images', async () => {
    looked++;
    return new Uint8Array(0);
  }), { instanceOf: InputError, message });
  t.is(looked, 0);
  t.is((await failureOf(path, { kind: 'images' })).message, message);
  // Named, an entry is read as declared, and the 64 MiB of zeros are refused by the size limit.
  t.is((await failureOf(`${path}:e2999`, { maxEntryBytes: 2 ** 20 })).message, `${path}:e2999: zip entry "e2999" declares ${INFLATED} bytes uncompressed, over the limit of ${2 ** 20}`);
});

test('an IDX entry among overlapping ones is still found by its head', async (t) => {
  // The images as a deflated chunk, with 200 directory records pointing at it: they are all "the" images.
  const set = tinySet();
  const path = join(await tempDir(), 'same.zip');
  const zip = overlappingZip(200, deflateRawSync(set.imagesIdx));
  await writeFile(path, zip);
  t.is((await failureOf(path, { kind: 'images' })).message, `${path}: several IDX images in the archive (e0000, e0001, e0002, e0003, e0004, … (200 in all)); choose one as ${path}:<entry>`);
});
