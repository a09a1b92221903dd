/**
 * Opens a data file as a stream of its decompressed bytes:
 *
 *   -, /dev/stdin       standard input (raw or gzip)
 *   file                raw bytes
 *   file.gz             gzip, recognised by its magic bytes 1f 8b whatever the name; zlib checks
 *                       the trailer's CRC-32 and length
 *   archive.zip:entry   that entry of a zip archive (stored or deflated; CRC-32 and size checked)
 *   archive.zip         the entry holding the IDX images or labels the caller asks for
 *   a pipe or FIFO      like standard input; after readIdxHeaderOf, the stream it kept (pipes.ts)
 *   https://…, s3://…   a remote object (raw or gzip) by Range requests, resumed after a failure (open-remote.ts)
 *
 * The file opens on the next tick, never on the caller's stack. Destroying the stream, even while
 * it is still opening, closes the file. Every failure the user caused is an InputError naming the
 * path as given. This module picks the opener; each kind of source has its own module.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ByteStream, type Chain } from './byte-stream.js';
import { formatOfFile, zipEntryPath } from './format-of.js';
import { gunzip } from './gzip.js';
import type { IdxKind } from './idx.js';
import { openSequential } from './open-sequential.js';
import { RangeIgnoredError, type ObjectVersion } from './range-reader.js';
import { isRemote } from './remote-url.js';
import { isPipe, isStdin, pipeStream } from './pipes.js';

// The remote sources (HTTP, S3, resuming) and the zip reader are imported by the runs that read
// them, not parsed by every run's start-up.
const remote = () => import('./open-remote.js');
const zipEntry = () => import('./zip-entry.js');

export interface OpenOptions {
  /** Which entry to read from a zip archive whose path names none: the 3-D images or the 1-D labels. */
  readonly kind?: IdxKind;
  /** Largest uncompressed size a zip entry may declare, in bytes. Default 4 GiB. */
  readonly maxEntryBytes?: number;
  /** Bytes per file read and per chunk out of zlib. Default 1 MiB. */
  readonly highWaterMark?: number;
  /**
   * Where to start in a raw file, in bytes: the read seeks there. Only for files that
   * `isSeekableFile` accepts; other sources are read from their start.
   */
  readonly start?: number;
  /** Where to stop in a raw remote object, in bytes (one past the last); files are read to their end. */
  readonly end?: number;
  /** A remote object's version as earlier opens of the same reader saw it: a changed object is an error. */
  readonly version?: ObjectVersion;
}

const DEFAULT_HIGH_WATER_MARK = 2 ** 20;

/** Returns a Readable of the decompressed bytes of `path`; its errors are InputErrors naming `path`. */
export function openByteStream(path: string, options: OpenOptions = {}): Readable {
  const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  return new ByteStream(path, highWaterMark, () => openChain(path, options, highWaterMark));
}

/**
 * True when `path` is a regular file or a remote object of raw (uncompressed) bytes, which a read
 * can start anywhere in (`OpenOptions.start`). False for standard input, pipes, gzip and zip (and
 * a server that ignores Range); a file's errors count as false (opening the file for real reports them).
 */
export async function isSeekableFile(path: string, version?: ObjectVersion): Promise<boolean> {
  // A remote object's failure is thrown: its read would meet it again, after as many retries.
  if (isRemote(path)) return (await remote()).remoteFormat(path, version).then((format) => format === 'raw', (error: unknown) => (error instanceof RangeIgnoredError ? false : Promise.reject(error)));
  if (isStdin(path) || zipEntryPath(path) !== undefined) return false;
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    if (!(await handle.stat()).isFile()) return false;
    return (await formatOfFile(path, handle)) === 'raw';
  } catch {
    return false;
  } finally {
    await handle?.close().catch(() => {});
  }
}

async function openChain(path: string, options: OpenOptions, highWaterMark: number): Promise<Chain> {
  if (isRemote(path)) return (await remote()).openRemote(path, options, highWaterMark);
  if (isStdin(path)) return openSequential(path, process.stdin, highWaterMark);
  // A pipe (its stream kept by readIdxHeaderOf, or opened without blocking: pipes.ts), never opened here.
  if (await isPipe(path)) return openSequential(path, pipeStream(path, highWaterMark), highWaterMark);
  const named = zipEntryPath(path);
  if (named !== undefined) return (await zipEntry()).openZipEntry(path, await open(named.archive, 'r'), named.entry, { ...options, highWaterMark });
  const handle = await open(path, 'r');
  try {
    const format = await formatOfFile(path, handle);
    if (format === 'zip') return await (await zipEntry()).openZipEntry(path, handle, undefined, { ...options, highWaterMark });
    const file = createReadStream(path, { fd: handle, start: format === 'raw' ? options.start ?? 0 : 0, highWaterMark });
    return format === 'gzip' ? { streams: [file, gunzip(highWaterMark)], compressed: 'gzip data' } : { streams: [file], compressed: 'data' };
  } catch (error) {
    // A pipe or a FIFO (`<(zcat …)`) cannot be read at a position: sniff its first chunks instead.
    if ((error as NodeJS.ErrnoException).code === 'ESPIPE') return openSequential(path, createReadStream(path, { fd: handle, highWaterMark }), highWaterMark);
    await handle.close().catch(() => {});
    throw error;
  }
}
