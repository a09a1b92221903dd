/** Runs the numpy reference script once per argument list and caches its answer. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

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
