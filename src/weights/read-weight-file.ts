import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { addAbortSignal, type Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { openPipe } from '../sources/pipes.js';

/**
 * Reads a whole weight file, refusing directories, empty files and files over `maxBytes`. A
 * regular file is measured before it is read; anything else (a FIFO, `/dev/stdin`, a character
 * device such as `/dev/zero`) is read through a cap, and refused as soon as it passes `maxBytes`,
 * named by its path as given. `file` names a regular file in errors. When `signal` aborts, the
 * read stops (a FIFO is opened without blocking, so even one nobody writes to) and the signal's
 * reason is thrown.
 */
export async function readWeightFile(path: string, file: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new InputError(file, 'is a directory, expected a weight file');
    if (stats.isFile() && stats.size > maxBytes) throw new InputError(file, `the file is ${stats.size} bytes, over the limit of ${maxBytes} bytes`);
    const bytes = stats.isFile() ? await readFile(path, { signal }) : await readCapped(path, maxBytes, signal);
    if (bytes.length === 0) throw new InputError(stats.isFile() ? file : path, 'empty file, expected a weight file');
    return bytes;
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    if (error instanceof InputError) throw error;
    throw new InputError(file, `cannot read the weight file, ${describeReadError(error)}`);
  }
}

/** True when `path` is not a regular file (a FIFO, a device, a socket): it can be read only once. */
export async function isStream(path: string): Promise<boolean> {
  return stat(path).then((stats) => !stats.isFile() && !stats.isDirectory(), () => false);
}

/** Reads a stream that has no size to check first, keeping at most `maxBytes` of it. */
async function readCapped(path: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  const bytes = await readAtMost(path, maxBytes, signal);
  if (bytes === undefined) throw new InputError(path, `more than ${maxBytes / 2 ** 20} MiB, the weights limit (--max-weights-mib)`);
  return bytes;
}

/**
 * Reads all of `path`, whatever kind of file it is, or stops and resolves to undefined as soon as
 * it has passed `maxBytes`: at most `maxBytes` and one read of 1 MiB are ever held. A FIFO or a
 * socket is opened without blocking (`openPipe`); `signal` destroys the stream (an AbortError).
 */
export async function readAtMost(path: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer | undefined> {
  const highWaterMark = Math.min(2 ** 20, maxBytes + 1);
  const stats = await stat(path);
  const stream: Readable = stats.isFIFO() || stats.isSocket() ? openPipe(path, highWaterMark) : createReadStream(path, { highWaterMark });
  if (signal !== undefined) addAbortSignal(signal, stream);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > maxBytes) return undefined;
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, length);
}

/** What went wrong reading a file, in a few words: 'no such file', 'permission denied' or the code. */
export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? String(error);
}
