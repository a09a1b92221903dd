/**
 * Opening an https://, http:// or s3:// data path as a Chain for ByteStream: the object's bytes
 * by Range requests through a resuming stream, gunzipped when they start with the gzip magic
 * (zlib checks the CRC-32 and length as for a file). A raw object is read from `start` to `end`
 * by one Range, after a 4-byte Range that tells its format, so a shard's read asks for no byte
 * before the shard; a gzip stream is read from its start whatever `start` says, as a file is.
 */
import { InputError } from '../errors.js';
import type { Chain } from './byte-stream.js';
import { formatOf, type Format } from './format-of.js';
import { httpRangeReader } from './http-range-reader.js';
import { chainOf, readHead } from './open-sequential.js';
import type { ObjectVersion, RangeReader } from './range-reader.js';
import { resumingStream } from './resuming-stream.js';
import { s3RangeReader } from './s3-range-reader.js';

export interface RemoteOptions {
  readonly start?: number;
  readonly end?: number;
  /** The object's version as the source's earlier reads saw it; a new one when not given. */
  readonly version?: ObjectVersion;
}

/** The RangeReader for an https://, http:// or s3:// URL. */
export const rangeReaderOf = (url: string): RangeReader => (/^s3:/i.test(url) ? s3RangeReader(url) : httpRangeReader(url));

/** How to read the object at `url`, from its first 4 bytes (one small Range request). */
export async function remoteFormat(url: string, version: ObjectVersion = {}): Promise<Format> {
  if (version.format !== undefined) return version.format;
  const probe = resumingStream(url, rangeReaderOf(url), { start: 0, end: 4, highWaterMark: 4, version });
  const chunks: Buffer[] = [];
  for await (const chunk of probe) chunks.push(chunk as Buffer);
  version.format = checkedFormat(url, Buffer.concat(chunks));
  return version.format;
}

function checkedFormat(url: string, head: Uint8Array): Format {
  const format = formatOf(url, head);
  if (format === 'zip') throw new InputError(url, 'a zip archive is read from a file, not a URL: download it, or name a .gz or raw IDX object');
  return format;
}

/** The Chain of `url`'s bytes, decompressed; errors are InputErrors naming `url`. */
export async function openRemote(url: string, options: RemoteOptions, highWaterMark: number): Promise<Chain> {
  const version = options.version ?? {};
  const start = options.start ?? 0;
  if (start > 0 || options.end !== undefined) {
    if ((await remoteFormat(url, version)) === 'raw') {
      return { streams: [resumingStream(url, rangeReaderOf(url), { start, end: options.end, highWaterMark, version })], compressed: 'data' };
    }
  }
  const source = resumingStream(url, rangeReaderOf(url), { start: 0, highWaterMark, version });
  try {
    const { head, rest } = await readHead(source);
    const format = checkedFormat(url, head);
    version.format = format;
    return chainOf(head, rest, format === 'gzip', source, highWaterMark);
  } catch (error) {
    source.destroy();
    throw error;
  }
}
