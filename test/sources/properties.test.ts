/**
 * Damaged inputs: truncations and byte flips of a small valid pair of IDX files give either exactly
 * the right samples or a clean InputError, never a crash, a hang, or a wrong answer without an error.
 */
import test from 'ava';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lastValueFrom, toArray } from 'rxjs';
import { InputError } from '../../src/errors.js';
import { readSamples$ } from '../../src/sources/mnist.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzip, imageOf, removeTempDirs, tempDir, tinySet, writeFixture, writeZip } from '../helpers/idx-fixtures.js';

test.after.always(removeTempDirs);

const set = tinySet(6, 3, 4);
const expected = set.labels.map((label, index) => ({ index, label, pixels: [...imageOf(set, index)] }));
const IMAGES_HEADER = 16;
const LABELS_HEADER = 8;

type Outcome = { samples: { index: number; label: number; pixels: number[] }[] } | { error: InputError };

/** Reads a pair of files; a hang fails after 5 s, any error but an InputError fails at once. */
async function outcomeOf(images: Uint8Array, labels: Uint8Array | undefined, suffix: string, highWaterMark?: number): Promise<Outcome> {
  const dir = await tempDir();
  const imagesPath = await writeFixture(dir, `images${suffix}`, images);
  const labelsPath = labels === undefined ? imagesPath : await writeFixture(dir, `labels${suffix}`, labels);
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('hang: no result after 5 s')), 5000);
  });
  try {
    const samples = await Promise.race([lastValueFrom(readSamples$(imagesPath, labelsPath, { highWaterMark }).pipe(toArray())), hang]);
    return { samples: samples.map(({ index, label, pixels }) => ({ index, label, pixels: [...pixels] })) };
  } catch (error) {
    if (error instanceof InputError) {
      assert.ok(error.message.startsWith(`${error.file}: `) && !error.message.includes('\n'), `one line naming the file: ${error.message}`);
      assert.ok(error.file === imagesPath || error.file === labelsPath, `names one of the files: ${error.message}`);
      return { error };
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const flipped = (bytes: Uint8Array, at: number, mask: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy[at] ^= mask;
  return copy;
};

const whichFile = fc.constantFrom<'images' | 'labels'>('images', 'labels');
const numRuns = 120;

/** Each file, gzipped (named .gz) and raw (named .idx). */
const encodings = [
  { name: 'gz', ext: '.gz', bytes: { images: gzip(set.imagesIdx), labels: gzip(set.labelsIdx) } },
  { name: 'raw', ext: '.idx', bytes: { images: set.imagesIdx, labels: set.labelsIdx } },
] as const;

for (const { name, ext, bytes } of encodings) {
  test(`${name}: every truncation is an InputError`, async (t) => {
    await fc.assert(
      fc.asyncProperty(whichFile, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), async (file, fraction) => {
        const damaged = { ...bytes, [file]: bytes[file].subarray(0, Math.floor(fraction * bytes[file].length)) };
        const outcome = await outcomeOf(damaged.images, damaged.labels, ext);
        assert.ok('error' in outcome, `a truncated ${file} file read without error`);
      }),
      { numRuns },
    );
    t.pass();
  });
}

test('gz: a flipped byte gives the right samples or an InputError', async (t) => {
  const gz = { images: gzip(set.imagesIdx), labels: gzip(set.labelsIdx) };
  let errors = 0;
  await fc.assert(
    fc.asyncProperty(whichFile, fc.nat(), fc.integer({ min: 1, max: 255 }), async (file, position, mask) => {
      const damaged = { ...gz, [file]: flipped(gz[file], position % gz[file].length, mask) };
      const outcome = await outcomeOf(damaged.images, damaged.labels, '.gz');
      if ('error' in outcome) errors++;
      else assert.deepEqual(outcome.samples, expected);
    }),
    { numRuns },
  );
  t.true(errors > numRuns / 2, `most flips are caught (${errors} of ${numRuns})`);
});

test('raw: a flipped header byte is an InputError; a flipped data byte gives exactly that changed sample', async (t) => {
  await fc.assert(
    fc.asyncProperty(whichFile, fc.nat(), fc.integer({ min: 1, max: 255 }), async (file, position, mask) => {
      const raw = { images: set.imagesIdx, labels: set.labelsIdx };
      const at = position % raw[file].length;
      const damaged = { ...raw, [file]: flipped(raw[file], at, mask) };
      const outcome = await outcomeOf(damaged.images, damaged.labels, '.idx');
      const headerSize = file === 'images' ? IMAGES_HEADER : LABELS_HEADER;
      if (at < headerSize) {
        assert.ok('error' in outcome, `a flip at ${at} of the ${file} header read without error`);
        return;
      }
      // The reference, the slow obvious way: the same samples with the one byte changed.
      const want = expected.map((sample) => ({ ...sample, pixels: [...sample.pixels] }));
      const size = set.rows * set.cols;
      if (file === 'images') want[Math.floor((at - headerSize) / size)].pixels[(at - headerSize) % size] ^= mask;
      else want[at - headerSize].label ^= mask;
      const bad = want.find((sample) => sample.label > 9);
      if (bad !== undefined) {
        assert.ok('error' in outcome);
        assert.match(outcome.error.message, new RegExp(`: label ${bad.label} at index ${bad.index} is outside 0\\.\\.9$`));
      } else {
        assert.ok('samples' in outcome, `unexpected error: ${'error' in outcome ? outcome.error.message : ''}`);
        assert.deepEqual(outcome.samples, want);
      }
    }),
    { numRuns },
  );
  t.pass();
});

test('any read size gives the same samples, raw or gz', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 100 }), fc.boolean(), async (highWaterMark, gz) => {
      const wrap = gz ? gzip : (bytes: Uint8Array) => bytes;
      const outcome = await outcomeOf(wrap(set.imagesIdx), wrap(set.labelsIdx), gz ? '.gz' : '.idx', highWaterMark);
      assert.ok('samples' in outcome);
      assert.deepEqual(outcome.samples, expected);
    }),
    { numRuns: 60 },
  );
  t.pass();
});

test('zip: a truncation or a flipped byte of an archive holding both files gives the right samples or an InputError', async (t) => {
  const zip = await readFile(
    await writeZip(join(await tempDir(), 'set.zip'), [
      { name: 'images', data: set.imagesIdx },
      { name: 'labels', data: set.labelsIdx, stored: true },
    ]),
  );
  t.deepEqual(await outcomeOf(zip, undefined, '.zip'), { samples: expected });
  let errors = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 255 }), async (position, mask) => {
      const at = position % zip.length;
      // mask 0 stands for a truncation at `at`.
      const damaged = mask === 0 ? zip.subarray(0, at) : flipped(zip, at, mask);
      const outcome = await outcomeOf(damaged, undefined, '.zip');
      if ('error' in outcome) errors++;
      else assert.deepEqual(outcome.samples, expected);
    }),
    { numRuns: 200 },
  );
  t.true(errors > 0);
});
