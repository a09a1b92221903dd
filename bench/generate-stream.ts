/**
 * The generated dataset as a stream, for bench/large.ts: the images of `mnist-eval generate
 * --count N --seed 1` (the same augmentation, image for image) written as one raw IDX file to
 * standard output or to a FIFO, a block at a time and only as fast as the reader takes them, so
 * neither side ever holds the set; or, with --labels-out, its labels file (raw IDX, N + 8 bytes).
 *
 *   npx tsx bench/generate-stream.ts --count 10000000 [--out FIFO] | mnist-eval --images - --labels L
 *   npx tsx bench/generate-stream.ts --count 10000000 --labels-out L
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { generateBlock, idxHeaderBytes, readBaseSet } from '../pipelines/generate-dataset.js';
import { requireDataFile, TEST_IMAGES, TEST_LABELS } from '../src/datasets/data-files.js';

const { values: v } = parseArgs({ options: { count: { type: 'string' }, out: { type: 'string' }, 'labels-out': { type: 'string' } } });
const count = Number(v.count?.replace(/_/g, ''));
if (!Number.isSafeInteger(count) || count < 1 || count > 0xffffffff) throw new RangeError(`--count must be 1 … 4294967295, got ${v.count}`);
const base = await readBaseSet(requireDataFile(TEST_IMAGES), requireDataFile(TEST_LABELS));

if (v['labels-out'] !== undefined) {
  // A generated image's label is its base image's (augmentation shifts and adds noise only).
  const labels = new Uint8Array(8 + count);
  labels.set(idxHeaderBytes([count]));
  for (let i = 0; i < count; i++) labels[8 + i] = base.labels[i % base.count];
  await writeFile(v['labels-out'], labels);
} else {
  const out = v.out === undefined ? process.stdout : createWriteStream(v.out);
  out.on('error', (error: NodeJS.ErrnoException) => {
    // The reader stopped (it failed, or was stopped): nothing more to write.
    process.exit(error.code === 'EPIPE' ? 0 : 1);
  });
  const BLOCK = 10_000; // 7.8 MB of pixels a block
  if (!out.write(idxHeaderBytes([count, base.rows, base.cols]))) await once(out, 'drain');
  for (let start = 0; start < count; start += BLOCK) {
    const { pixels } = generateBlock(base, start, Math.min(count, start + BLOCK), { count, seed: 1 });
    if (!out.write(pixels)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
