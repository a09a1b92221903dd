/** batch (src/operators/batch.ts): samples packed into contiguous batches by bufferCount. */
import test from 'ava';
import { EMPTY, from, lastValueFrom, toArray } from 'rxjs';
import { batch, packBatch } from '../../src/operators/batch.js';
import type { Batch, Sample } from '../../src/types.js';
import { imageOf, tinySet } from '../helpers/idx-fixtures.js';

/** The 5 images of 3 × 4 of tinySet() as samples, their pixels views into one fresh buffer (as a file chunk's). */
const set = tinySet(5, 3, 4);
function samples(): Sample[] {
  const chunk = set.pixels.slice();
  return set.labels.map((label, index) => ({ index, label, pixels: chunk.subarray(index * 12, (index + 1) * 12) }));
}
const batchesOf = (source: readonly Sample[], batchSize: number): Promise<Batch[]> => lastValueFrom(from(source).pipe(batch(batchSize), toArray()));

test('batches of 2 from 5 samples: 2, 2 and a last one of 1, each starting where the last ended', async (t) => {
  const batches = await batchesOf(samples(), 2);
  t.deepEqual(batches.map((b) => [b.start, b.count, b.size]), [[0, 2, 12], [2, 2, 12], [4, 1, 12]]);
});

test('pixels and labels are packed exactly: image i of a batch is pixels[i·size … (i+1)·size)', async (t) => {
  const batches = await batchesOf(samples(), 2);
  for (const b of batches) {
    t.is(b.pixels.length, b.count * b.size);
    t.is(b.labels.length, b.count);
    for (let i = 0; i < b.count; i++) {
      t.deepEqual([...b.pixels.subarray(i * b.size, (i + 1) * b.size)], [...imageOf(set, b.start + i)], `image ${b.start + i}`);
      t.is(b.labels[i], set.labels[b.start + i]);
    }
  }
  t.deepEqual(batches.flatMap((b) => [...b.pixels]), [...set.pixels], 'all pixels, in order, once');
});

test('a batch holds copies: the samples\' buffer may be reused after it is packed', (t) => {
  const source = samples();
  const packed = packBatch(source.slice(0, 3));
  const before = [...packed.pixels];
  source[0].pixels.fill(0xee);
  t.deepEqual([...packed.pixels], before);
  t.not(packed.pixels.buffer, source[0].pixels.buffer);
});

test('batch size 1, and a batch size at or above the count', async (t) => {
  t.deepEqual((await batchesOf(samples(), 1)).map((b) => [b.start, b.count]), [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]]);
  for (const size of [5, 100]) {
    const [only, ...rest] = await batchesOf(samples(), size);
    t.deepEqual([only.start, only.count, rest.length], [0, 5, 0], `batch size ${size}`);
    t.deepEqual([...only.pixels], [...set.pixels]);
  }
});

test('no samples, no batch', async (t) => {
  t.deepEqual(await lastValueFrom(EMPTY.pipe(batch(3), toArray())), []);
});

test('the start of a batch is the index of its first sample, wherever the source begins', async (t) => {
  const shifted = samples().slice(1).map((s) => ({ ...s, index: s.index + 1000 }));
  t.deepEqual((await batchesOf(shifted, 3)).map((b) => [b.start, b.count]), [[1001, 3], [1004, 1]]);
});

test('the same pipeline subscribed twice gives the same batches', async (t) => {
  const batches$ = from(samples()).pipe(batch(2));
  const copy = (b: Batch) => ({ ...b, pixels: [...b.pixels], labels: [...b.labels] });
  const first = (await lastValueFrom(batches$.pipe(toArray()))).map(copy);
  const second = (await lastValueFrom(batches$.pipe(toArray()))).map(copy);
  t.deepEqual(second, first);
  t.is(first.length, 3);
});
