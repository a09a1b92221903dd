/**
 * Looking at the first bytes of a stream that cannot be read twice (standard input) without
 * using them up, so that the header of its data can be checked before the data is read.
 */
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { gunzipHead, isGzip } from './gzip.js';
import { holdProcess } from './pipes.js';
import { toInputError } from './to-input-error.js';

/**
 * Reads `stream` chunk by chunk until `parse` accepts the decompressed head (gzip is inflated as
 * far as it goes), then puts every byte read back at the front of the stream (`unshift`), so that
 * a later `openByteStream('-')` reads the stream from its start. Throws `parse`'s error, or an
 * InputError naming `path` if the stream fails or ends first.
 *
 * A stream that has not ended is left unreferenced (`holdProcess`): it does not keep the process
 * alive until its reader takes it. When `signal` aborts, the wait ends at once, the stream is
 * destroyed (nobody can read what was peeked) and the signal's reason is thrown.
 */
export async function peekHead<T>(path: string, stream: Readable, parse: (head: Uint8Array, ended: boolean) => T | undefined, signal?: AbortSignal): Promise<T> {
  try {
    const parsed = await peek(path, stream, parse, signal);
    holdProcess(stream, false);
    return parsed;
  } catch (error) {
    if (signal?.aborted !== true) throw error;
    stream.destroy();
    throw signal.reason;
  }
}

async function peek<T>(path: string, stream: Readable, parse: (head: Uint8Array, ended: boolean) => T | undefined, signal?: AbortSignal): Promise<T> {
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const chunk = stream.read() as Buffer | null;
    const ended = chunk === null && (stream.readableEnded || stream.destroyed || (stream as Readable & { _readableState?: { ended?: boolean } })._readableState?.ended === true);
    if (chunk === null && !ended) {
      // 'readable' comes with more data and at the end; `once` also settles (rejecting) on 'error'.
      signal?.throwIfAborted();
      await once(stream, 'readable', { signal }).catch(() => {});
      signal?.throwIfAborted();
      if (stream.errored) throw toInputError(path, stream.errored, 'data');
      continue;
    }
    if (chunk !== null) {
      chunks.push(chunk);
      length += chunk.length;
    }
    const raw = Buffer.concat(chunks, length);
    if (raw.length === 0 && ended) throw new InputError(path, 'empty file');
    let head: Uint8Array = raw;
    if (isGzip(raw)) {
      try {
        head = gunzipHead(raw);
      } catch (error) {
        throw toInputError(path, error);
      }
    }
    const parsed = parse(head, ended);
    if (parsed !== undefined) {
      if (!ended && raw.length > 0) stream.unshift(raw);
      return parsed;
    }
    if (ended) throw new InputError(path, `ends after ${head.length} bytes, before its header is complete`);
  }
}
