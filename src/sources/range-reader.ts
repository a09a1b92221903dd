/**
 * The seam between a remote object and the stream that reads it: one request for a range of its
 * bytes. The HTTP and S3 readers implement it; the resuming stream calls it again after a failure.
 */
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';

export interface RangeRequest {
  /** The first byte wanted. */
  readonly start: number;
  /** One past the last byte wanted; undefined for all to the end of the object. */
  readonly end?: number;
  readonly signal: AbortSignal;
}

export interface RangeResponse {
  /** The bytes from `start`, as the server sends them. */
  readonly body: Readable;
  /** How many bytes the body must hold (Content-Length); undefined when the server did not say. */
  readonly length?: number;
  /** The whole object's size in bytes; undefined when the server did not say. */
  readonly size?: number;
  /** The object's version (ETag, else Last-Modified): a resumed read must see the same one. */
  readonly validator?: string;
}

/** One Range request; rejects with a TransientError when trying again may succeed, else an InputError. */
export type RangeReader = (request: RangeRequest) => Promise<RangeResponse>;

/** A failure that a later request may not meet: a dropped connection, a 5xx, a throttled request. */
export class TransientError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** A server that answers a Range request with the whole object: it can be read from its start only. */
export class RangeIgnoredError extends InputError {}

/**
 * What the readers of one source have seen of the object: its version and size from the first
 * response, which every later response (a resumed body, the records after a header) must match.
 */
export interface ObjectVersion {
  validator?: string;
  size?: number;
  /** What its first bytes showed (open-remote.ts), so that later opens need not ask again. */
  format?: 'gzip' | 'zip' | 'raw';
}

/** The `Range` header's value for `request`. */
export const rangeHeader = ({ start, end }: Pick<RangeRequest, 'start' | 'end'>): string => `bytes=${start}-${end === undefined ? '' : end - 1}`;

/** `bytes a-b/total` (Content-Range) as its first byte and total; undefined for anything else. */
export function parseContentRange(value: string | undefined): { readonly first: number; readonly size?: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (match === null) return undefined;
  return { first: Number(match[1]), size: match[3] === '*' ? undefined : Number(match[3]) };
}
