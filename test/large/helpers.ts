/**
 * Generated datasets for the large-dataset tests: written once per test process into a temp
 * folder (removed at exit), from the MNIST test set by pipelines/generate-dataset.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFile, writeFile } from 'node:fs/promises';
import { generateDataset, readBaseSet, type BaseSet, type GeneratedFiles } from '../../pipelines/generate-dataset.js';
import { IMAGES_GZ, LABELS_GZ } from '../helpers/data-dir.js';

export { SAMPLE_WEIGHT as WEIGHTS } from '../helpers/data-dir.js';
export { mnistEval, type Run } from '../helpers/cli.js';

let dir: string | undefined;
/** This process's temp folder, removed when it exits. */
export function scratch(): string {
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'mnist-eval-large-'));
    const made = dir;
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return dir;
}

let base: Promise<BaseSet> | undefined;
export const mnistTestBase = (): Promise<BaseSet> => (base ??= readBaseSet(IMAGES_GZ, LABELS_GZ));

const generated = new Map<string, Promise<GeneratedFiles>>();
/** `count` generated images (seed 1), gzip; made once per process. */
export function generatedSet(count: number, seed = 1): Promise<GeneratedFiles> {
  const key = `${count}-${seed}`;
  if (!generated.has(key)) generated.set(key, mnistTestBase().then((b) => generateDataset(b, scratch(), `gen-${key}`, { count, seed, level: 1 })));
  return generated.get(key)!;
}

const raw = new Map<number, Promise<GeneratedFiles>>();
/** The same set decompressed to raw IDX files (which a shard can seek in); made once per process. */
export function rawSet(count: number): Promise<GeneratedFiles> {
  if (!raw.has(count)) raw.set(count, writeRawSet(count));
  return raw.get(count)!;
}

async function writeRawSet(count: number): Promise<GeneratedFiles> {
  const set = await generatedSet(count);
  const images = set.images.replace(/\.gz$/, '');
  const labels = set.labels.replace(/\.gz$/, '');
  await writeFile(images, gunzipSync(await readFile(set.images)));
  await writeFile(labels, gunzipSync(await readFile(set.labels)));
  return { images, labels, count };
}

/** A report without the fields that may differ between runs of the same evaluation. */
export function comparable(report: Record<string, unknown>): Record<string, unknown> {
  const { timing, resources, forward, mosaic, inputs, shard, ...rest } = report;
  void timing, void resources, void forward, void inputs, void shard;
  const { path, sidecar, ...counts } = mosaic as Record<string, unknown>;
  void path, void sidecar;
  return { ...rest, mosaic: counts };
}
