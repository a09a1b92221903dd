import test from 'ava';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openSequential } from '../../src/sources/open-sequential.js';
import { gzip, tinySet } from '../helpers/idx-fixtures.js';
import { readAll } from './read-bytes.js';

/** A stream that can only be read in order, in chunks of `size` bytes. */
const pipeOf = (bytes: Uint8Array, size: number): Readable =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => Buffer.from(bytes.subarray(i * size, (i + 1) * size))));

/** The bytes the chain of `source` gives, read to its end. */
async function bytesThrough(source: Readable, highWaterMark = 1024): Promise<Buffer> {
  const chain = await openSequential('-', source, highWaterMark);
  const done = chain.streams.length > 1 ? pipeline(chain.streams) : Promise.resolve();
  const bytes = await readAll(chain.streams[chain.streams.length - 1]);
  await done;
  return bytes;
}

test('raw bytes, even when the magic number comes a byte at a time', async (t) => {
  const set = tinySet();
  t.deepEqual(await bytesThrough(pipeOf(set.imagesIdx, 1)), set.imagesIdx);
  t.deepEqual(await bytesThrough(pipeOf(set.imagesIdx, 100)), set.imagesIdx);
});

test('gzip, recognised by its first bytes', async (t) => {
  const set = tinySet(20, 5, 5);
  const chain = await openSequential('-', pipeOf(gzip(set.imagesIdx), 3), 64);
  t.is(chain.compressed, 'gzip data');
  t.deepEqual(await bytesThrough(pipeOf(gzip(set.imagesIdx), 3), 64), set.imagesIdx);
});

test('a zip archive, or nothing at all, is refused, and the source is destroyed', async (t) => {
  const zip = pipeOf(Buffer.of(0x50, 0x4b, 3, 4, 0, 0), 6);
  await t.throwsAsync(openSequential('-', zip, 1024), { message: '-: a zip archive cannot be read from a pipe; name the file' });
  t.true(zip.destroyed);
  const empty = pipeOf(new Uint8Array(0), 1);
  await t.throwsAsync(openSequential('-', empty, 1024), { message: '-: empty file' });
  t.true(empty.destroyed);
});
