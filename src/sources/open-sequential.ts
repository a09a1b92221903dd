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
    const { head, rest } = await readHead(source);
    const format = formatOf(path, head);
    if (format === 'zip') throw new InputError(path, 'a zip archive cannot be read from a pipe; name the file');
    return chainOf(head, rest, format === 'gzip', source, highWaterMark);
  } catch (error) {
    source.destroy();
    throw error;
  }
}

/** The first 4 bytes of `source` (fewer if it ends sooner), enough to tell its format, and the rest of it. */
export async function readHead(source: Readable): Promise<{ head: Buffer; rest: AsyncIterator<Buffer> }> {
  const rest: AsyncIterator<Buffer> = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 4) {
    const next = await rest.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  return { head, rest };
}

/** The chain of `head` and then `rest`, gunzipped when `gzip`; `source` is what they were read from. */
export function chainOf(head: Buffer, rest: AsyncIterator<Buffer>, gzip: boolean, source: Readable, highWaterMark: number): Chain {
  const bytes = Readable.from(prepend(head, rest), { objectMode: false, highWaterMark });
  return gzip ? { streams: [bytes, gunzip(highWaterMark)], source, compressed: 'gzip data' } : { streams: [bytes], source, compressed: 'data' };
}

/** `head`, then the rest of the chunks. */
async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}
