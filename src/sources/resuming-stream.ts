/**
 * The bytes of a remote object from `start` to `end`, over a RangeReader, read on as the reader
 * of the stream asks (a paused stream sends no requests). When a request or its body fails in a
 * way that may pass (a dropped connection, a 5xx, a body shorter than its Content-Length), it
 * waits and asks again for the bytes from the one it got to, at most `retries` times in a row
 * without a byte between them (the wait doubling from `backoffMs`) and MAX_RESUMES in all. Every
 * response must show the version and size of the first one (`ObjectVersion`): an object that
 * changed between two requests is an error, never two versions spliced into one stream.
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../errors.js';
import { networkError } from './network-error.js';
import { TransientError, type ObjectVersion, type RangeReader, type RangeResponse } from './range-reader.js';

/** A body that drops again and again, a byte at a time, still ends. */
const MAX_RESUMES = 100;

export interface ResumeOptions {
  readonly start: number;
  /** One past the last byte; undefined for all to the end. */
  readonly end?: number;
  readonly highWaterMark: number;
  /** Shared by every stream of one source. */
  readonly version: ObjectVersion;
  /** Failures in a row (no byte between them) before giving up. Default 5. */
  readonly retries?: number;
  /** The first wait before a retry, in milliseconds; each next one doubles. Default 250. */
  readonly backoffMs?: number;
}

/** The Readable of `url`'s bytes; its errors are InputErrors naming `url`. */
export function resumingStream(url: string, read: RangeReader, options: ResumeOptions): Readable {
  const controller = new AbortController();
  const stream = Readable.from(resumedBytes(url, read, options, controller.signal), { objectMode: false, highWaterMark: options.highWaterMark });
  // Ends a request still waiting for its answer, or a wait before a retry.
  stream.once('close', () => controller.abort());
  return stream;
}

async function* resumedBytes(url: string, read: RangeReader, options: ResumeOptions, signal: AbortSignal): AsyncGenerator<Buffer> {
  const { version, retries = 5, backoffMs = 250 } = options;
  let position = options.start;
  let failures = 0;
  let resumes = 0;
  for (;;) {
    if (position >= Math.min(options.end ?? Infinity, version.size ?? Infinity)) return;
    let response: RangeResponse | undefined;
    try {
      response = await read({ start: position, end: options.end, signal });
      checkVersion(url, version, response);
      let got = 0;
      const short = (why: string) => new TransientError(`the body ended after ${got} of its ${response!.length ?? 'unknown number of'} bytes${why}`);
      try {
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          got += chunk.length;
          position += chunk.length;
          failures = 0;
          yield chunk;
        }
      } catch (error) {
        const failure = networkError(url, error);
        throw failure instanceof TransientError ? short(` (${failure.message})`) : failure;
      }
      if (response.length !== undefined && got < response.length) throw short('');
      const wanted = Math.min(options.end ?? Infinity, version.size ?? Infinity);
      if (position < wanted && wanted !== Infinity) throw new TransientError(`the body ended at byte ${position} of ${wanted}`);
      return;
    } catch (caught) {
      const error = networkError(url, caught);
      if (signal.aborted || !(error instanceof TransientError)) throw error;
      failures += 1;
      resumes += 1;
      if (failures > retries || resumes > MAX_RESUMES) {
        throw new InputError(url, `${error.message}, at byte ${position}; gave up after ${resumes} ${resumes === 1 ? 'retry' : 'retries'}`);
      }
      await sleep(backoffMs * 2 ** (failures - 1), undefined, { signal });
    } finally {
      response?.body.destroy();
    }
  }
}

/** Records the first response's version and size; throws when a later one differs. */
function checkVersion(url: string, version: ObjectVersion, response: RangeResponse): void {
  if (version.validator === undefined && version.size === undefined) {
    version.validator = response.validator;
    version.size = response.size;
    return;
  }
  if (response.validator !== version.validator) {
    throw new InputError(url, `changed while it was read (version ${version.validator ?? 'unknown'}, then ${response.validator ?? 'unknown'}); read it again`);
  }
  if (response.size !== undefined && version.size !== undefined && response.size !== version.size) {
    throw new InputError(url, `changed while it was read (${version.size} bytes, then ${response.size}); read it again`);
  }
}
