/**
 * The valid files the fuzz properties mutate, made once per test process into a temp folder:
 * a tiny MNIST-like set (4×4 images, so a mutation lands in a header often), a 16→3→10 MLP as a
 * pickle and an .npz (python3 + numpy, as the other weight fixtures), a model JSON naming its
 * arrays, the same set gzipped and zipped, and the two shard reports of a run over it (with their
 * predictions CSVs, so merge --predictions joins them).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { main } from '../../src/cli/main.js';
import { idxBytes } from '../helpers/idx-fixtures.js';
import { capture } from './contract.js';

export const COUNT = 12, ROWS = 4, COLS = 4;

export interface Fixtures {
  readonly dir: string;
  readonly imagesIdx: Buffer;
  readonly labelsIdx: Buffer;
  readonly imagesGz: Buffer;
  readonly labelsGz: Buffer;
  /** A zip holding both IDX files (deflated images, stored labels), given as --images and --labels. */
  readonly zip: Buffer;
  readonly pickle: Buffer;
  readonly npz: Buffer;
  readonly modelJson: string;
  /** The paths of the valid files, for the inputs a property does not mutate. */
  readonly paths: { images: string; labels: string; pickle: string; npz: string; model: string };
  /** The text of shard 0 of 2's partial report, and the path of shard 1's, untouched. */
  readonly shard0: string;
  readonly shard1Path: string;
}

const PYTHON = String.raw`
import io, pickle, sys, zipfile
import numpy as np
out = sys.argv[1]
rng = np.random.default_rng(12)
net = {'W1': rng.normal(size=(16, 3)).astype(np.float32), 'b1': rng.normal(size=3).astype(np.float32),
       'W2': rng.normal(size=(3, 10)).astype(np.float32), 'b2': rng.normal(size=10).astype(np.float32)}
with open(out + '/tiny.pkl', 'wb') as f:
    pickle.dump(net, f, protocol=2)
np.savez(out + '/tiny.npz', **net)
with zipfile.ZipFile(out + '/tiny.zip', 'w') as z:
    z.write(out + '/t10k-images-idx3-ubyte', 't10k-images-idx3-ubyte', zipfile.ZIP_DEFLATED)
    z.write(out + '/t10k-labels-idx1-ubyte', 't10k-labels-idx1-ubyte', zipfile.ZIP_STORED)
`;

export const MODEL_JSON = JSON.stringify({
  name: 'tiny-mlp',
  layers: [
    { type: 'affine', W: 'W1', b: 'b1' },
    { type: 'sigmoid' },
    { type: 'affine', W: 'W2', b: 'b2' },
    { type: 'softmax' },
  ],
}, null, 1);

let made: Promise<Fixtures> | undefined;

export function fixtures(): Promise<Fixtures> {
  made ??= make();
  return made;
}

async function make(): Promise<Fixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-fuzz-base-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const pixels = Uint8Array.from({ length: COUNT * ROWS * COLS }, (_, i) => (i * 37 + (i >> 4) * 11) & 0xff);
  const labels = Array.from({ length: COUNT }, (_, i) => (i * 3 + 1) % 10);
  const imagesIdx = idxBytes([COUNT, ROWS, COLS], pixels);
  const labelsIdx = idxBytes([COUNT], labels);
  const paths = {
    images: join(dir, 't10k-images-idx3-ubyte'),
    labels: join(dir, 't10k-labels-idx1-ubyte'),
    pickle: join(dir, 'tiny.pkl'),
    npz: join(dir, 'tiny.npz'),
    model: join(dir, 'tiny-model.json'),
  };
  await Promise.all([writeFile(paths.images, imagesIdx), writeFile(paths.labels, labelsIdx), writeFile(paths.model, MODEL_JSON)]);
  await promisify(execFile)('python3', ['-c', PYTHON, dir]);
  const [pickle, npz, zip] = await Promise.all(['tiny.pkl', 'tiny.npz', 'tiny.zip'].map((name) => readFile(join(dir, name))));
  const shards = join(dir, 'shards');
  await mkdir(shards);
  for (const k of [0, 1]) {
    const err = capture();
    const code = await main(['--images', paths.images, '--labels', paths.labels, '--weights', paths.pickle, '--shard', `${k}/2`, '--quiet',
      '--report', join(shards, `part-${k}.json`), '--mosaic', join(shards, `part-${k}.png`), '--predictions', join(shards, `part-${k}.csv`)], { stdout: capture().stream, stderr: err.stream });
    if (code !== 0) throw new Error(`making shard ${k} of the fuzz fixtures failed (${code}): ${err.text()}`);
  }
  return {
    dir, imagesIdx, labelsIdx, imagesGz: gzipSync(imagesIdx), labelsGz: gzipSync(labelsIdx), zip, pickle, npz, modelJson: MODEL_JSON, paths,
    shard0: await readFile(join(shards, 'part-0.json'), 'utf8'), shard1Path: join(shards, 'part-1.json'),
  };
}
