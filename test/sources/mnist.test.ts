import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { lastValueFrom, take, tap, toArray, type Observable } from 'rxjs';
import { InputError, UsageError } from '../../src/errors.js';
import { readBatches$, readIdxHeaderOf, readSamples$ } from '../../src/sources/mnist.js';
import {
  REAL_IMAGES_GZ,
  REAL_IMAGES_RAW,
  REAL_LABELS_GZ,
  REAL_LABELS_RAW,
  eventually,
  fdsOpenOn,
  gzip,
  idxBytes,
  imageOf,
  removeTempDirs,
  tempDir,
  tinySet,
  writeFixture,
  writeZip,
} from '../helpers/idx-fixtures.js';
import { withData } from '../helpers/data-dir.js';
import type { Sample } from '../../src/types.js';

test.after.always(removeTempDirs);

/** Everything `source$` emits, and how it ended. */
async function collect<T>(source$: Observable<T>): Promise<{ values: T[]; error?: unknown }> {
  const values: T[] = [];
  return new Promise((done) => {
    source$.subscribe({ next: (value) => values.push(value), error: (error: unknown) => done({ values, error }), complete: () => done({ values }) });
  });
}

/** The InputError `source$` fails with, after how many values. */
async function failureOf<T>(source$: Observable<T>): Promise<{ message: string; emitted: number }> {
  const { values, error } = await collect(source$);
  if (!(error instanceof InputError)) throw new Error(`expected an InputError, got ${String(error)} after ${values.length} values`);
  return { message: error.message, emitted: values.length };
}

/** A digest of samples: every index, label and pixel in order. */
function digestOf(samples: readonly Sample[]): string {
  const hash = createHash('sha256');
  for (const { index, label, pixels } of samples) hash.update(`${index}:${label}:`).update(pixels);
  return hash.digest('hex');
}

async function tinyFiles(set = tinySet(), options: { gz?: boolean } = {}): Promise<{ dir: string; images: string; labels: string }> {
  const dir = await tempDir();
  const wrap = options.gz ? gzip : (bytes: Uint8Array) => bytes;
  const suffix = options.gz ? '.gz' : '';
  return {
    dir,
    images: await writeFixture(dir, `images.idx${suffix}`, wrap(set.imagesIdx)),
    labels: await writeFixture(dir, `labels.idx${suffix}`, wrap(set.labelsIdx)),
  };
}

test('the MNIST test set from .gz: 10000 samples, labels 7 2 1 0 4 first', withData(async (t) => {
  const samples = await lastValueFrom(readSamples$(REAL_IMAGES_GZ, REAL_LABELS_GZ).pipe(toArray()));
  t.is(samples.length, 10000);
  t.deepEqual(samples.slice(0, 5).map((sample) => sample.label), [7, 2, 1, 0, 4]);
  t.deepEqual(samples.map((sample) => sample.index), Array.from({ length: 10000 }, (_, i) => i));
  t.true(samples.every((sample) => sample.pixels.length === 784));
  const raw = await readFile(REAL_IMAGES_RAW);
  t.deepEqual(Buffer.from(samples[0].pixels), raw.subarray(16, 16 + 784));
  t.deepEqual(Buffer.from(samples[9999].pixels), raw.subarray(16 + 9999 * 784));
  const counts = new Array<number>(10).fill(0);
  for (const sample of samples) counts[sample.label]++;
  t.deepEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
}));

test('the same samples from .gz, raw files, a zip archive and small reads', withData(async (t) => {
  const zip = await writeZip(join(await tempDir(), 'mnist.zip'), [
    { name: 't10k-labels-idx1-ubyte', file: REAL_LABELS_RAW },
    { name: 't10k-images-idx3-ubyte', file: REAL_IMAGES_RAW },
  ]);
  const digest = async (images: string, labels: string, highWaterMark?: number): Promise<string> =>
    digestOf(await lastValueFrom(readSamples$(images, labels, { highWaterMark }).pipe(toArray())));
  const expected = await digest(REAL_IMAGES_GZ, REAL_LABELS_GZ);
  t.is(await digest(REAL_IMAGES_RAW, REAL_LABELS_RAW), expected, 'raw');
  t.is(await digest(zip, zip), expected, 'zip, entries picked by their headers');
  t.is(await digest(`${zip}:t10k-images-idx3-ubyte`, `${zip}:t10k-labels-idx1-ubyte`), expected, 'zip, entries named');
  t.is(await digest(REAL_IMAGES_RAW, REAL_LABELS_GZ, 1000), expected, 'reads of 1000 bytes: images straddle reads');
}));

test('readBatches$: contiguous batches holding the same samples, the last one smaller', withData(async (t) => {
  const samples = await lastValueFrom(readSamples$(REAL_IMAGES_GZ, REAL_LABELS_GZ).pipe(toArray()));
  const batches = await lastValueFrom(readBatches$(REAL_IMAGES_GZ, REAL_LABELS_GZ, 300).pipe(toArray()));
  t.is(batches.length, 34);
  t.deepEqual(batches.map((batch) => batch.count), [...new Array<number>(33).fill(300), 100]);
  t.deepEqual(batches.map((batch) => batch.start), Array.from({ length: 34 }, (_, i) => i * 300));
  const unbatched = batches.flatMap((batch) =>
    Array.from({ length: batch.count }, (_, i) => ({
      index: batch.start + i,
      label: batch.labels[i],
      pixels: batch.pixels.subarray(i * batch.size, (i + 1) * batch.size),
    })),
  );
  t.true(batches.every((batch) => batch.size === 784 && batch.pixels.length === batch.count * 784 && batch.labels.length === batch.count));
  t.is(digestOf(unbatched), digestOf(samples));
}));

test('readBatches$ over small reads: a batch spanning many chunks', async (t) => {
  const set = tinySet(10, 3, 3);
  const { images, labels } = await tinyFiles(set);
  const batches = await lastValueFrom(readBatches$(images, labels, 4, { highWaterMark: 5 }).pipe(toArray()));
  t.deepEqual(batches.map((batch) => [batch.start, batch.count]), [[0, 4], [4, 4], [8, 2]]);
  t.deepEqual(Buffer.concat(batches.map((batch) => batch.pixels)), Buffer.from(set.pixels));
  t.deepEqual(batches.flatMap((batch) => [...batch.labels]), set.labels);
});

test('readBatches$ refuses a batch size that is not a positive integer', async (t) => {
  const { images, labels } = await tinyFiles();
  const { error } = await collect(readBatches$(images, labels, 0));
  t.true(error instanceof UsageError);
});

test('readIdxHeaderOf reads just the header', withData(async (t) => {
  t.deepEqual(await readIdxHeaderOf(REAL_IMAGES_GZ, 'images'), { dtype: 'uint8', dims: [10000, 28, 28], count: 10000, recordSize: 784, headerSize: 16 });
  t.deepEqual((await readIdxHeaderOf(REAL_LABELS_GZ, 'labels')).dims, [10000]);
  await t.throwsAsync(readIdxHeaderOf(REAL_LABELS_GZ, 'images'), {
    instanceOf: InputError,
    message: `${REAL_LABELS_GZ}: expected images: an IDX file with 3 dimensions (count x rows x cols), got 1 dimension (10000)`,
  });
  await t.throwsAsync(readIdxHeaderOf('no/such/file.gz', 'images'), { instanceOf: InputError, message: 'no/such/file.gz: no such file' });
}));

test('readIdxHeaderOf closes the file', async (t) => {
  const dir = await tempDir();
  const path = await writeFixture(dir, 'images.idx', await readFile(REAL_IMAGES_RAW));
  await readIdxHeaderOf(path, 'images');
  t.true(await eventually(() => fdsOpenOn(path).length === 0));
});

test('offset and limit: only samples [offset, offset + limit)', async (t) => {
  const set = tinySet(8);
  const { images, labels } = await tinyFiles(set, { gz: true });
  const read = async (offset?: number, limit?: number): Promise<number[]> =>
    (await lastValueFrom(readSamples$(images, labels, { offset, limit }).pipe(toArray()))).map((sample) => sample.index);
  t.deepEqual(await read(3, 2), [3, 4]);
  t.deepEqual(await read(6), [6, 7]);
  t.deepEqual(await read(undefined, 3), [0, 1, 2]);
  t.deepEqual(await read(6, 100), [6, 7], 'the range is clipped to the file');
  t.deepEqual(await read(20), []);
  t.deepEqual(await read(2, 0), []);
  const [third] = await lastValueFrom(readSamples$(images, labels, { offset: 3, limit: 1 }).pipe(toArray()));
  t.deepEqual(third, { index: 3, label: set.labels[3], pixels: third.pixels });
  t.deepEqual([...third.pixels], [...imageOf(set, 3)]);
  const batches = await lastValueFrom(readBatches$(images, labels, 2, { offset: 3, limit: 3 }).pipe(toArray()));
  t.deepEqual(batches.map((batch) => [batch.start, batch.count]), [[3, 2], [5, 1]]);
});

test('offset and limit on the real test set', withData(async (t) => {
  const samples = await lastValueFrom(readSamples$(REAL_IMAGES_GZ, REAL_LABELS_GZ, { offset: 9995, limit: 10 }).pipe(toArray()));
  t.deepEqual(samples.map((sample) => sample.index), [9995, 9996, 9997, 9998, 9999]);
  const raw = await readFile(REAL_IMAGES_RAW);
  t.deepEqual(Buffer.from(samples[0].pixels), raw.subarray(16 + 9995 * 784, 16 + 9996 * 784));
  t.deepEqual(samples.map((sample) => sample.label), [...(await readFile(REAL_LABELS_RAW)).subarray(8 + 9995)]);
}));

test('offset and limit must be non-negative integers', async (t) => {
  const { images, labels } = await tinyFiles();
  t.true((await collect(readSamples$(images, labels, { offset: -1 }))).error instanceof UsageError);
  t.true((await collect(readSamples$(images, labels, { limit: 1.5 }))).error instanceof UsageError);
});

test('cold: nothing is opened before subscribe, and each subscription reads afresh', async (t) => {
  const missing$ = readSamples$('no/such/images.gz', 'no/such/labels.gz');
  const set = tinySet();
  const { images, labels } = await tinyFiles(set);
  const samples$ = readSamples$(images, labels);
  t.is(fdsOpenOn(images).length, 0);
  t.deepEqual((await lastValueFrom(samples$.pipe(toArray()))).map((sample) => sample.label), set.labels);
  t.deepEqual((await lastValueFrom(samples$.pipe(toArray()))).map((sample) => sample.label), set.labels);
  t.is((await failureOf(missing$)).message, 'no/such/images.gz: no such file');
});

test('unsubscribing (take(5)) closes both files early', withData(async (t) => {
  const dir = await tempDir();
  const images = await writeFixture(dir, 't10k-images-idx3-ubyte', await readFile(REAL_IMAGES_RAW));
  const labels = await writeFixture(dir, 't10k-labels-idx1-ubyte.gz', await readFile(REAL_LABELS_GZ));
  // The 7.8 MB of raw images cannot be read through by the 5th image at 64 KiB a read; the 4 KB of
  // gzip labels may be, and their file closed at its end (so its count is not asserted here).
  let imagesOpenWhileReading = 0;
  const samples = await lastValueFrom(
    readSamples$(images, labels, { highWaterMark: 64 * 1024 }).pipe(
      tap(() => (imagesOpenWhileReading = fdsOpenOn(images).length)),
      take(5),
      toArray(),
    ),
  );
  t.deepEqual(samples.map((sample) => sample.label), [7, 2, 1, 0, 4]);
  t.is(imagesOpenWhileReading, 1);
  t.true(await eventually(() => fdsOpenOn(images).length + fdsOpenOn(labels).length === 0));
}));

test('unsubscribing from batches closes both files early', withData(async (t) => {
  const dir = await tempDir();
  const images = await writeFixture(dir, 'i.gz', await readFile(REAL_IMAGES_GZ));
  const labels = await writeFixture(dir, 'l.gz', await readFile(REAL_LABELS_GZ));
  const batches = await lastValueFrom(readBatches$(images, labels, 100).pipe(take(2), toArray()));
  t.deepEqual(batches.map((batch) => batch.start), [0, 100]);
  t.true(await eventually(() => fdsOpenOn(images).length + fdsOpenOn(labels).length === 0));
}));

test('truncated images, named as the user gave them', withData(async (t) => {
  const dir = await tempDir();
  const raw = await readFile(REAL_IMAGES_RAW);
  const exact = await writeFixture(dir, 't10k-images-idx3-ubyte.gz', gzip(raw.subarray(0, 16 + 4211 * 784)));
  const failure = await failureOf(readSamples$(exact, REAL_LABELS_GZ));
  t.is(failure.message, `${exact}: truncated: header declares 10000 images, data ends after 4211`);
  t.is(failure.emitted, 4211);
  const partial = await writeFixture(dir, 'partial.idx', raw.subarray(0, 16 + 4211 * 784 + 100));
  t.is((await failureOf(readSamples$(partial, REAL_LABELS_GZ))).message, `${partial}: truncated: header declares 10000 images, data ends after 4211 and 100 of the 784 bytes of the next`);
  t.is((await failureOf(readBatches$(partial, REAL_LABELS_GZ, 1000))).message, `${partial}: truncated: header declares 10000 images, data ends after 4211 and 100 of the 784 bytes of the next`);
}));

test('truncated labels', async (t) => {
  const set = tinySet(6);
  const { dir, images } = await tinyFiles(set);
  const labels = await writeFixture(dir, 'short-labels.gz', gzip(set.labelsIdx.subarray(0, 8 + 4)));
  t.is((await failureOf(readSamples$(images, labels))).message, `${labels}: truncated: header declares 6 labels, data ends after 4`);
});

test('trailing garbage after the declared records', async (t) => {
  const set = tinySet();
  const { dir, labels } = await tinyFiles(set);
  const images = await writeFixture(dir, 'long.idx', Buffer.concat([set.imagesIdx, Buffer.from('\n')]));
  t.is((await failureOf(readSamples$(images, labels))).message, `${images}: trailing garbage after the 5 images the header declares`);
  const imagesGz = await writeFixture(dir, 'long.idx.gz', gzip(Buffer.concat([set.imagesIdx, Buffer.alloc(784)])));
  t.is((await failureOf(readBatches$(imagesGz, labels, 2))).message, `${imagesGz}: trailing garbage after the 5 images the header declares`);
});

test('images and labels must declare the same count', async (t) => {
  const dir = await tempDir();
  const images = await writeFixture(dir, 'a.gz', gzip(tinySet(10000, 1, 1).imagesIdx));
  const labels = await writeFixture(dir, 'b.gz', gzip(tinySet(9999, 1, 1).labelsIdx));
  t.is((await failureOf(readSamples$(images, labels))).message, `${labels}: declares 9999 labels, but ${images} declares 10000 images`);
});

test('labels must lie in 0..classes-1', async (t) => {
  const set = tinySet(8);
  const { dir, images } = await tinyFiles(set);
  const bad = [...set.labels];
  bad[5] = 12;
  const labels = await writeFixture(dir, 'labels.gz', gzip(idxBytes([8], bad)));
  const failure = await failureOf(readSamples$(images, labels));
  t.is(failure.message, `${labels}: label 12 at index 5 is outside 0..9`);
  t.is(failure.emitted, 5);
  t.is((await failureOf(readBatches$(images, labels, 4))).message, `${labels}: label 12 at index 5 is outside 0..9`);
  const samples = await lastValueFrom(readSamples$(images, labels, { classes: 13 }).pipe(toArray()));
  t.is(samples[5].label, 12);
  t.is((await failureOf(readSamples$(images, labels, { classes: 2 }))).message, `${labels}: label 4 at index 1 is outside 0..1`);
});

test('files that are not what they should be', async (t) => {
  const set = tinySet();
  const { dir, images, labels } = await tinyFiles(set);
  const notIdx = await writeFixture(dir, 'x.idx', Buffer.from([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1]));
  const float = await writeFixture(dir, 'f.idx', idxBytes([5, 3, 4], new Uint8Array(240), 0x0d));
  const notGz = await writeFixture(dir, 'x.gz', set.imagesIdx);
  const empty = await writeFixture(dir, 'empty.idx', new Uint8Array(0));
  const cases: [string, string, string][] = [
    [notIdx, labels, `${notIdx}: not an IDX file (magic 0x12345678)`],
    [float, labels, `${float}: unsupported IDX dtype 0x0d (float32), expected 0x08 (unsigned byte)`],
    [notGz, labels, `${notGz}: not a gzip file`],
    [empty, labels, `${empty}: empty file`],
    [join(dir, 'missing.gz'), labels, `${join(dir, 'missing.gz')}: no such file`],
    [images, join(dir, 'missing-labels'), `${join(dir, 'missing-labels')}: no such file`],
    [labels, images, `${labels}: expected images: an IDX file with 3 dimensions (count x rows x cols), got 1 dimension (5)`],
    [dir, labels, `${dir}: is a directory, expected a file`],
  ];
  for (const [imagesPath, labelsPath, message] of cases) {
    t.is((await failureOf(readSamples$(imagesPath, labelsPath))).message, message);
  }
});

test('corrupted gzip data fails, even after the samples it let through', withData(async (t) => {
  const dir = await tempDir();
  const gz = Buffer.from(await readFile(REAL_IMAGES_GZ));
  gz[gz.length - 8] ^= 0xff; // the CRC-32 in the trailer
  const images = await writeFixture(dir, 'crc.gz', gz);
  const failure = await failureOf(readSamples$(images, REAL_LABELS_GZ));
  t.is(failure.message, `${images}: corrupted gzip data (incorrect data check)`);
  t.true(await eventually(() => fdsOpenOn(images).length === 0), 'closed after the error');
}));

test('after an error both files are closed', async (t) => {
  const dir = await tempDir();
  const images = await writeFixture(dir, 'images.idx', await readFile(REAL_IMAGES_RAW));
  const labels = await writeFixture(dir, 'labels.gz', gzip(idxBytes([10000], new Uint8Array(10000).fill(11))));
  t.is((await failureOf(readSamples$(images, labels))).message, `${labels}: label 11 at index 0 is outside 0..9`);
  t.true(await eventually(() => fdsOpenOn(images).length + fdsOpenOn(labels).length === 0));
});

test('images and labels cannot both be standard input', async (t) => {
  t.true((await collect(readSamples$('-', '-'))).error instanceof UsageError);
});

test('images from standard input (-), gzip or raw', withData(async (t) => {
  const module = pathToFileURL(resolve('src/sources/mnist.ts')).href;
  const script = `
    import { lastValueFrom, toArray } from 'rxjs';
    import { readSamples$ } from '${module}';
    const samples = await lastValueFrom(readSamples$('-', process.argv[1]).pipe(toArray()));
    console.log(JSON.stringify(samples.map((s) => [s.index, s.label, s.pixels.length])));
  `;
  const run = async (input: Buffer): Promise<string> => {
    const child = promisify(execFile)(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '-e', script, REAL_LABELS_GZ], { maxBuffer: 4 * 2 ** 20 });
    child.child.stdin!.end(input);
    return (await child).stdout;
  };
  const fromGz = JSON.parse(await run(await readFile(REAL_IMAGES_GZ))) as number[][];
  t.is(fromGz.length, 10000);
  t.deepEqual(fromGz.slice(0, 5), [[0, 7, 784], [1, 2, 784], [2, 1, 784], [3, 0, 784], [4, 4, 784]]);
  const fromRaw = JSON.parse(await run(await readFile(REAL_IMAGES_RAW))) as number[][];
  t.deepEqual(fromRaw, fromGz);
}));

test('images from a named pipe (FIFO), as with <(zcat …)', withData(async (t) => {
  const dir = await tempDir();
  const fifo = join(dir, 'images.fifo');
  execFileSync('mkfifo', [fifo]);
  const writing = writeFile(fifo, await readFile(REAL_IMAGES_GZ));
  const samples = await lastValueFrom(readSamples$(fifo, REAL_LABELS_GZ).pipe(toArray()));
  await writing;
  t.is(samples.length, 10000);
  t.deepEqual(samples.slice(0, 5).map((sample) => sample.label), [7, 2, 1, 0, 4]);
}));
