import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FloatDtype, NdArray, WeightArrays } from '../../src/weights/nd-array.js';
import { dataMissing, ROOT as root, SAMPLE_WEIGHT } from './data-dir.js';

/** The book's weight files, in the data folder (see data-dir.ts). */
export { SAMPLE_WEIGHT, SIMPLE_CONVNET } from './data-dir.js';

/** What numpy reads from each valid fixture: shape, dtype, sha256 of the C-order little-endian bytes. */
export type ExpectedArrays = Record<string, Record<string, { shape: number[]; dtype: FloatDtype; sha256: string }>>;

let fixtures: Promise<string> | undefined;

/**
 * Runs test/fixtures/make-weights.py (python3 + numpy) once per test process, into a fresh
 * directory under the OS temp dir that is removed when the process exits. Resolves to that directory.
 */
export function weightFixtures(): Promise<string> {
  fixtures ??= makeFixtures();
  return fixtures;
}

async function makeFixtures(): Promise<string> {
  if (dataMissing !== undefined) throw new Error(dataMissing); // make-weights.py derives most fixtures from sample_weight.pkl
  const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-weights-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await promisify(execFile)('python3', [join(root, 'test/fixtures/make-weights.py'), dir, SAMPLE_WEIGHT]);
  return dir;
}

/** The path of one fixture, generating them first if needed. */
export async function weightFixture(name: string): Promise<string> {
  return join(await weightFixtures(), name);
}

export async function expectedArrays(): Promise<ExpectedArrays> {
  return JSON.parse(await readFile(await weightFixture('expected.json'), 'utf8')) as ExpectedArrays;
}

/** sha256 of an array's data as stored (C order, little-endian on every machine we run on). */
export function digestOf(array: NdArray): string {
  return createHash('sha256').update(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength)).digest('hex');
}

/** One element of a C-order array, by its multi-index. */
export function at(array: NdArray, ...index: number[]): number {
  let offset = 0;
  index.forEach((i, k) => {
    offset = offset * array.shape[k] + i;
  });
  return array.data[offset];
}

/** The arrays as plain float32 values, for comparing files that store the same network in other widths. */
export function asFloat32(arrays: WeightArrays): Map<string, { shape: readonly number[]; data: Float32Array }> {
  return new Map([...arrays].map(([key, a]) => [key, { shape: a.shape, data: Float32Array.from(a.data) }]));
}
