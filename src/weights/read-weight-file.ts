import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';

/**
 * Reads a whole weight file, refusing directories, empty files and files over `maxBytes` (before
 * reading them). `file` names it in errors.
 */
export async function readWeightFile(path: string, file: string, maxBytes: number): Promise<Uint8Array> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new InputError(file, 'is a directory, expected a weight file');
    if (stats.size > maxBytes) throw new InputError(file, `the file is ${stats.size} bytes, over the limit of ${maxBytes} bytes`);
    const bytes = await readFile(path);
    if (bytes.length === 0) throw new InputError(file, 'empty file, expected a pickle (.pkl) or an .npz archive');
    return bytes;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `cannot read the weight file, ${describeReadError(error)}`);
  }
}

/** What went wrong reading a file, in a few words: 'no such file', 'permission denied' or the code. */
export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? String(error);
}
