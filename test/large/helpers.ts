/**
 * Generated datasets for the large-dataset tests: written once per test process into a temp
 * folder (removed at exit), from the MNIST test set by pipelines/generate-dataset.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readFile, writeFile } from 'node:fs/promises';
import { generateDataset, readBaseSet, type BaseSet, type GeneratedFiles } from '../../pipelines/generate-dataset.js';

export const DATA = resolve('../shared/data');
export const TEST_IMAGES_GZ = join(DATA, 't10k-images-idx3-ubyte.gz');
export const TEST_LABELS_GZ = join(DATA, 't10k-labels-idx1-ubyte.gz');
export const WEIGHTS = join(DATA, 'sample_weight.pkl');

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
export const mnistTestBase = (): Promise<BaseSet> => (base ??= readBaseSet(TEST_IMAGES_GZ, TEST_LABELS_GZ));

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

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI from its TypeScript sources (not a bundle that may predate them), in `cwd`, with
 * the reference data as its data folder; `stdin` is piped in when given.
 */
export function mnistEval(args: readonly string[], options: { cwd?: string; stdin?: Uint8Array; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, resolve('src/cli/main.ts'), ...args], {
      cwd: options.cwd ?? scratch(),
      env: { ...process.env, MNIST_EVAL_DATA_DIR: DATA, ...options.env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    if (options.stdin !== undefined) {
      child.stdin!.on('error', () => {}); // the CLI may exit before reading it all
      child.stdin!.end(options.stdin);
    }
  });
}

/** A report without the fields that may differ between runs of the same evaluation. */
export function comparable(report: Record<string, unknown>): Record<string, unknown> {
  const { timing, resources, forward, mosaic, inputs, shard, ...rest } = report;
  void timing, void resources, void forward, void inputs, void shard;
  const { path, sidecar, ...counts } = mosaic as Record<string, unknown>;
  void path, void sidecar;
  return { ...rest, mosaic: counts };
}
