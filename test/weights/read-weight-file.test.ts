/**
 * Weight files that are not regular files (a FIFO, a character device, standard input) have no
 * size to check first: they are read through the same byte limit, and refused once past it.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { InputError } from '../../src/errors.js';
import { loadWeights } from '../../src/weights/load.js';
import { readWeightFile } from '../../src/weights/read-weight-file.js';
import { SAMPLE_WEIGHT, withData } from '../helpers/data-dir.js';
import { weightFixture } from '../helpers/weight-fixtures.js';

const MiB = 2 ** 20;

const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-weight-fifo-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
let fifos = 0;
const fifo = (): string => {
  const path = join(dir, `w${fifos++}.pkl`);
  execFileSync('mkfifo', [path]);
  return path;
};

/** Writes `chunk` into `path` over and over until the reader closes it; resolves to the bytes it took. */
function writeForever(path: string, chunk: Uint8Array): Promise<number> {
  return new Promise((resolve) => {
    const stream = createWriteStream(path);
    let accepted = 0;
    const more = (): void => {
      while (stream.write(chunk, (error) => {
        if (!error) accepted += chunk.length;
      }));
      stream.once('drain', more);
    };
    stream.on('error', () => resolve(accepted)); // EPIPE once the reader has gone
    stream.on('open', more);
  });
}

/** Writes `bytes` into `path`, then closes it. */
function writeOnce(path: string, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => createWriteStream(path).on('error', reject).end(bytes, resolve));
}

test('/dev/zero as a weight file is refused once past the limit, not read to the end of memory', async (t) => {
  await t.throwsAsync(readWeightFile('/dev/zero', 'zero', MiB), {
    instanceOf: InputError, message: '/dev/zero: more than 1 MiB, the weights limit (--max-weights-mib)',
  });
  await t.throwsAsync(loadWeights('/dev/zero', { maxBytes: 16 * MiB }), {
    instanceOf: InputError, message: '/dev/zero: more than 16 MiB, the weights limit (--max-weights-mib)',
  });
});

test('a FIFO that never ends is read only up to the limit: the writer gets at most the limit and a few chunks in', async (t) => {
  const path = fifo();
  const written = writeForever(path, new Uint8Array(64 * 1024).fill(0x80));
  await t.throwsAsync(loadWeights(path, { maxBytes: 4 * MiB }), {
    instanceOf: InputError, message: `${path}: more than 4 MiB, the weights limit (--max-weights-mib)`,
  });
  // What the reader took: the limit, plus its last read (1 MiB) and the pipe's buffer (at most 1 MiB).
  const accepted = await written;
  t.log(`the writer got ${accepted} bytes in`);
  t.true(accepted > 4 * MiB && accepted <= 7 * MiB, `${accepted} bytes`);
});

test('a FIFO holding a pickle loads like the file, with the same sha256', withData(async (t) => {
  const path = fifo();
  const bytes = await readFile(SAMPLE_WEIGHT);
  const [loaded] = await Promise.all([loadWeights(path), writeOnce(path, bytes)]);
  const original = await loadWeights(SAMPLE_WEIGHT);
  t.is(loaded.sha256, original.sha256);
  t.deepEqual([...loaded.arrays.keys()], [...original.arrays.keys()]);
}));

test('an empty FIFO is an empty weight file, named by its path', async (t) => {
  const path = fifo();
  const [result] = await Promise.allSettled([loadWeights(path), writeOnce(path, new Uint8Array(0))]);
  t.is(result.status, 'rejected');
  t.is((result as PromiseRejectedResult).reason.message, `${path}: empty file, expected a weight file`);
});

test('an .npz from a FIFO is refused on one line (its entries cannot be read twice)', withData(async (t) => {
  const path = fifo();
  const bytes = await readFile(await weightFixture('sample-compressed.npz'));
  const [result] = await Promise.allSettled([loadWeights(path), writeOnce(path, bytes)]);
  t.is((result as PromiseRejectedResult).reason?.message, `${path}: a zip archive (an .npz, a PyTorch zip, a .keras) cannot be read from a pipe or a device; name the file`);
}));
