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
  return new ResumingStream(url, read, options);
}

class ResumingStream extends Readable {
  readonly #controller = new AbortController();
  readonly #bytes: AsyncGenerator<Buffer>;

  constructor(url: string, read: RangeReader, options: ResumeOptions) {
    super({ highWaterMark: options.highWaterMark });
    this.#bytes = resumedBytes(url, read, options, this.#controller.signal);
  }

  override _read(): void {
    this.#bytes.next().then(
      (result) => {
        if (!this.destroyed) this.push(result.done ? null : result.value);
      },
      (error: unknown) => {
        if (!this.destroyed) this.destroy(error as Error);
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Ends a request still waiting for its answer or a wait before a retry, and closes the body.
    this.#controller.abort();
    this.#bytes.return(undefined).catch(() => {});
    callback(error);
  }
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
        for await (const whole of response.body as AsyncIterable<Buffer>) {
          // A server that sends past the end asked for gives nothing beyond it.
          const chunk = options.end !== undefined && position + whole.length > options.end ? whole.subarray(0, options.end - position) : whole;
          got += chunk.length;
          position += chunk.length;
          failures = 0;
          if (chunk.length > 0) yield chunk;
          if (options.end !== undefined && position >= options.end) return;
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
      if (failures > retries || resumes >= MAX_RESUMES) {
        throw new InputError(url, `${error.message}, at byte ${position}; gave up after ${resumes} ${resumes === 1 ? 'retry' : 'retries'}`);
      }
      resumes += 1;
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
