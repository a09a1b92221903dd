/**
 * A pipe read twice, as a run does: its IDX header first (readIdxHeaderOf), then its records.
 * The header read keeps the stream, with the bytes it read put back, for the open that follows.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import { lastValueFrom, toArray } from 'rxjs';
import { InputError } from '../../src/errors.js';
import { readIdxHeaderOf, readSamples$ } from '../../src/sources/mnist.js';
import { isPipe, takePipe } from '../../src/sources/pipes.js';
import { gzip, imageOf, removeTempDirs, tempDir, tinySet, writeFixture } from '../helpers/idx-fixtures.js';

test.after.always(removeTempDirs);

/** A FIFO in a fresh folder, and a `cat` writing `bytes` into it (killed by the caller). */
async function fifoOf(bytes: Uint8Array): Promise<{ path: string; stop: () => void }> {
  const dir = await tempDir();
  const source = await writeFixture(dir, 'data', bytes);
  const path = join(dir, 'images.fifo');
  execFileSync('mkfifo', [path]);
  const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', source, path], { stdio: 'ignore' });
  return { path, stop: () => writer.kill() };
}

for (const [name, encode] of [['raw', (bytes: Uint8Array) => bytes], ['gzip', gzip]] as const) {
  test(`a FIFO of ${name} IDX: the header, then every record, from one stream`, async (t) => {
    const set = tinySet(40, 6, 7);
    const fifo = await fifoOf(encode(set.imagesIdx));
    try {
      const labels = await writeFixture(await tempDir(), 'labels.idx', set.labelsIdx);
      t.true(await isPipe(fifo.path));
      t.deepEqual((await readIdxHeaderOf(fifo.path, 'images')).dims, [40, 6, 7]);
      const samples = await lastValueFrom(readSamples$(fifo.path, labels).pipe(toArray()));
      t.is(samples.length, 40);
      samples.forEach((sample, i) => t.deepEqual([...sample.pixels], [...imageOf(set, i)]));
      t.is(takePipe(fifo.path), undefined, 'the open took the kept stream');
    } finally {
      fifo.stop();
    }
  });
}

test('a FIFO whose header is wrong is refused, and nothing is kept for it', async (t) => {
  const fifo = await fifoOf(Buffer.from('not an IDX file at all'));
  try {
    await t.throwsAsync(readIdxHeaderOf(fifo.path, 'images'), { instanceOf: InputError, message: `${fifo.path}: not an IDX file (magic 0x6e6f7420)` });
    t.is(takePipe(fifo.path), undefined);
  } finally {
    fifo.stop();
  }
});

test('regular files, zip entries and standard input are not pipes to keep', async (t) => {
  const file = await writeFixture(await tempDir(), 'x.idx', tinySet().imagesIdx);
  t.false(await isPipe(file));
  t.false(await isPipe(`${file}.zip:x`));
  t.false(await isPipe('-'));
  t.false(await isPipe('/dev/stdin'));
  t.true(await isPipe('/dev/zero'));
});
