/**
 * The numpy reference scripts (test/reference/*.py), run once per argument list with their answer
 * cached. They read no data folder of their own: the paths come as arguments, from data-dir.ts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './data-dir.js';

export const MLP_REFERENCE = join(ROOT, 'test/reference/mlp_reference.py');
export const CONVNET_REFERENCE = join(ROOT, 'test/reference/convnet_reference.py');

export interface ReferenceResult {
  readonly accuracy: number;
  readonly correct: number;
  readonly total: number;
  readonly predictions: number[];
  readonly confusion: number[][];
}

const cache = new Map<string, Promise<ReferenceResult>>();

export function numpyReference(script: string, args: readonly string[]): Promise<ReferenceResult> {
  const key = [script, ...args].join('\0');
  let result = cache.get(key);
  if (result === undefined) {
    result = promisify(execFile)('python3', [script, ...args], { maxBuffer: 1 << 26 }).then(({ stdout }) => JSON.parse(stdout) as ReferenceResult);
    cache.set(key, result);
  }
  return result;
}
