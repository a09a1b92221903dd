/** Reading a data path through `openByteStream` in the tests of src/sources/: all its bytes, or the InputError it fails with. */
import type { Readable } from 'node:stream';
import { InputError } from '../../src/errors.js';
import { openByteStream, type OpenOptions } from '../../src/sources/open.js';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const bytesOf = (path: string, options?: OpenOptions): Promise<Buffer> => readAll(openByteStream(path, options));

/** The error `path` fails with; fails the test when it reads cleanly. */
export async function failureOf(path: string, options?: OpenOptions): Promise<InputError> {
  try {
    await bytesOf(path, options);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`${path} read without error`);
}
