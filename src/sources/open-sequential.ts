/**
 * Opening a stream that can only be read in order (standard input, a pipe, a FIFO such as
 * `<(zcat …)`): its first chunks tell raw from gzip, and are then read again, first.
 */
import { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import type { Chain } from './byte-stream.js';
import { formatOf } from './format-of.js';
import { gunzip } from './gzip.js';
import { holdProcess } from './pipes.js';

/** The chain reading `source` (named `path` in errors), gunzipped when it starts with the gzip magic. */
export async function openSequential(path: string, source: Readable, highWaterMark: number): Promise<Chain> {
  // A stream whose header was peeked let the process go while it waited (peekHead); it is read now.
  holdProcess(source, true);
  try {
    const chunks: AsyncIterator<Buffer> = source[Symbol.asyncIterator]();
    let head = Buffer.alloc(0);
    while (head.length < 4) {
      const next = await chunks.next();
      if (next.done) break;
      head = Buffer.concat([head, next.value]);
    }
    const format = formatOf(path, head);
    if (format === 'zip') throw new InputError(path, 'a zip archive cannot be read from a pipe; name the file');
    const bytes = Readable.from(prepend(head, chunks), { objectMode: false, highWaterMark });
    const streams = format === 'gzip' ? [bytes, gunzip(highWaterMark)] : [bytes];
    return { streams, source, compressed: format === 'gzip' ? 'gzip data' : 'data' };
  } catch (error) {
    source.destroy();
    throw error;
  }
}

/** `head`, then the rest of the chunks: a stream whose first bytes were read to tell its format. */
export async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}
