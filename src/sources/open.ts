/**
 * Opens a data file as a stream of its decompressed bytes:
 *
 *   -                   standard input (raw or gzip)
 *   file                raw bytes
 *   file.gz             gzip, recognised by its magic bytes 1f 8b whatever the name; zlib checks
 *                       the trailer's CRC-32 and length
 *   archive.zip:entry   that entry of a zip archive (stored or deflated; CRC-32 and size checked)
 *   archive.zip         the entry holding the IDX images or labels the caller asks for
 *   a pipe or FIFO      like standard input
 *
 * The file opens on the next tick, never on the caller's stack. Destroying the stream, even while
 * it is still opening, closes the file. Every failure the user caused is an InputError naming the
 * path as given.
 *
 * Zip archives: node-stream-zip reads the central directory; the entry's data we read ourselves
 * through our own file handle (local header, then inflate, then a size and CRC-32 check with
 * zlib.crc32), so that destroying the stream leaves no read of the library's pending on a closed
 * descriptor, and reads are 1 MiB rather than 16 KiB.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { constants as zlibConstants, crc32, createGunzip, createInflateRaw, gunzipSync, inflateRawSync } from 'node:zlib';
import StreamZip from 'node-stream-zip';
import { InputError } from '../errors.js';
import type { IdxKind } from './idx.js';

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
}

const MiB = 2 ** 20;
const DEFAULT_MAX_ENTRY_BYTES = 4 * 2 ** 30;
const ZIP_STORED = 0;
const ZIP_DEFLATED = 8;
const ZIP_LOCAL_HEADER = 0x04034b50;
const ZIP_LOCAL_HEADER_SIZE = 30;
/** Compressed bytes read from a zip entry to see its first bytes. */
const ENTRY_PROBE_BYTES = 4096;
const IDX_DTYPES: ReadonlySet<number> = new Set([0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e]);
const ZIP_NAME_HINTS: Readonly<Record<IdxKind, RegExp>> = { images: /images|idx3/i, labels: /labels|idx1/i };

/** zlib's output chunk size: the read size, but at least zlib's minimum. */
const zlibChunk = (highWaterMark: number): number => Math.max(highWaterMark, zlibConstants.Z_MIN_CHUNK);
const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
const isZip = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));

/** The streams of an open source, first to last, and what its zlib errors are about. */
interface Chain {
  readonly streams: Readable[];
  /** The stream the first one reads from, when it is not in `streams` but must close with them. */
  readonly source?: Readable;
  readonly compressed: string;
}

/** Returns a Readable of the decompressed bytes of `path`; its errors are InputErrors naming `path`. */
export function openByteStream(path: string, options: OpenOptions = {}): Readable {
  return new ByteStream(path, options);
}

/**
 * True when `path` is a regular file of raw (uncompressed) bytes, which a read can start anywhere
 * in (`OpenOptions.start`). False for standard input, pipes, gzip and zip; errors count as false
 * (opening the file for real reports them).
 */
export async function isSeekableFile(path: string): Promise<boolean> {
  if (path === '-' || /^(.*\.zip):(.+)$/is.test(path)) return false;
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    if (!(await handle.stat()).isFile()) return false;
    const magic = Buffer.alloc(4);
    const { bytesRead } = await handle.read(magic, 0, 4, 0);
    return formatOf(path, magic.subarray(0, bytesRead)) === 'raw';
  } catch {
    return false;
  } finally {
    await handle?.close().catch(() => {});
  }
}

/**
 * Reads the first bytes of a stream that cannot be read twice (standard input) without using them
 * up: chunk by chunk, until `parse` accepts the decompressed head (gzip is inflated as far as it
 * goes), then puts every byte read back at the front of the stream (`unshift`), so that a later
 * `openByteStream('-')` reads the stream from its start. Throws `parse`'s error, or an InputError
 * if the stream ends first.
 */
export async function peekHead<T>(path: string, stream: Readable, parse: (head: Uint8Array, ended: boolean) => T | undefined): Promise<T> {
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const chunk = stream.read() as Buffer | null;
    const ended = chunk === null && (stream.readableEnded || stream.destroyed || (stream as Readable & { _readableState?: { ended?: boolean } })._readableState?.ended === true);
    if (chunk === null && !ended) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stream.off('readable', done);
          stream.off('end', done);
          stream.off('error', done);
          resolve();
        };
        stream.on('readable', done);
        stream.on('end', done);
        stream.on('error', done);
      });
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
        head = gunzipSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
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

class ByteStream extends Readable {
  readonly #path: string;
  readonly #options: OpenOptions;
  #streams: Readable[] = [];
  #chunks: AsyncIterator<Buffer> | undefined = undefined;
  #compressed = 'gzip data';

  constructor(path: string, options: OpenOptions) {
    super({ highWaterMark: options.highWaterMark ?? MiB });
    this.#path = path;
    this.#options = options;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    openChain(this.#path, this.#options).then(
      (chain) => {
        // If destroy() came while opening, _destroy runs after this callback and closes the chain.
        this.#streams = chain.source === undefined ? chain.streams : [...chain.streams, chain.source];
        this.#compressed = chain.compressed;
        if (!this.destroyed) {
          if (chain.streams.length > 1) pipeline(chain.streams, () => {});
          this.#chunks = chain.streams[chain.streams.length - 1][Symbol.asyncIterator]();
        }
        callback();
      },
      (error: unknown) => callback(this.destroyed ? null : toInputError(this.#path, error, this.#compressed)),
    );
  }

  override _read(): void {
    this.#chunks!.next().then(
      (result) => {
        if (!this.destroyed) this.push(result.done ? null : result.value);
      },
      (error: unknown) => {
        if (!this.destroyed) this.destroy(toInputError(this.#path, error, this.#compressed));
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    for (const stream of this.#streams) stream.destroy();
    callback(error);
  }
}

async function openChain(path: string, options: OpenOptions): Promise<Chain> {
  if (path === '-') return openSequential('-', process.stdin, options);
  const named = /^(.*\.zip):(.+)$/is.exec(path);
  if (named !== null) return openZip(path, await open(named[1], 'r'), named[2], options);
  const handle = await open(path, 'r');
  const highWaterMark = options.highWaterMark ?? MiB;
  try {
    const magic = Buffer.alloc(4);
    const { bytesRead } = await handle.read(magic, 0, 4, 0);
    const head = magic.subarray(0, bytesRead);
    const format = formatOf(path, head);
    if (format === 'zip') return await openZip(path, handle, undefined, options);
    const file = createReadStream(path, { fd: handle, start: format === 'raw' ? options.start ?? 0 : 0, highWaterMark });
    return format === 'gzip' ? { streams: [file, createGunzip({ chunkSize: zlibChunk(highWaterMark) })], compressed: 'gzip data' } : { streams: [file], compressed: 'data' };
  } catch (error) {
    // A pipe or a FIFO (`<(zcat …)`) cannot be read at a position: sniff its first chunks instead.
    if ((error as NodeJS.ErrnoException).code === 'ESPIPE') return openSequential(path, createReadStream(path, { fd: handle, highWaterMark }), options);
    await handle.close().catch(() => {});
    throw error;
  }
}

/** How to read a file from its first bytes and its name: gzip and zip by their magic, or by name. */
function formatOf(path: string, head: Uint8Array): 'gzip' | 'zip' | 'raw' {
  if (head.length === 0) throw new InputError(path, 'empty file');
  if (isGzip(head)) return 'gzip';
  if (isZip(head) || /\.zip$/i.test(path)) return 'zip';
  if (/\.gz$/i.test(path)) throw new InputError(path, 'not a gzip file');
  return 'raw';
}

/** Opens a stream that can only be read in order (standard input, a pipe), looking at its first chunks. */
async function openSequential(path: string, source: Readable, options: OpenOptions): Promise<Chain> {
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
    const highWaterMark = options.highWaterMark ?? MiB;
    const bytes = Readable.from(prepend(head, chunks), { objectMode: false, highWaterMark });
    const streams = format === 'gzip' ? [bytes, createGunzip({ chunkSize: zlibChunk(highWaterMark) })] : [bytes];
    return { streams, source, compressed: format === 'gzip' ? 'gzip data' : 'data' };
  } catch (error) {
    source.destroy();
    throw error;
  }
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

/** Opens one entry of the zip archive behind `handle`; the chain owns the handle from then on. */
async function openZip(path: string, handle: FileHandle, entryName: string | undefined, options: OpenOptions): Promise<Chain> {
  try {
    const entries = await listZipEntries(path, handle);
    const entry = entryName === undefined ? await pickZipEntry(path, handle, entries, options.kind) : namedZipEntry(path, entries, entryName);
    checkZipEntry(path, entry, options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES);
    const dataOffset = await zipDataOffset(path, handle, entry);
    const head = await zipEntryHead(handle, entry, dataOffset).catch(() => new Uint8Array(0));
    const highWaterMark = options.highWaterMark ?? MiB;
    const streams: Readable[] = [];
    if (entry.compressedSize === 0) {
      await handle.close();
      streams.push(Readable.from([], { objectMode: false }));
    } else {
      streams.push(createReadStream(path, { fd: handle, start: dataOffset, end: dataOffset + entry.compressedSize - 1, highWaterMark }));
    }
    if (entry.method === ZIP_DEFLATED) streams.push(createInflateRaw({ chunkSize: zlibChunk(highWaterMark) }));
    streams.push(verifyZipEntry(path, entry, highWaterMark));
    if (isGzip(head)) streams.push(createGunzip({ chunkSize: zlibChunk(highWaterMark) }));
    return { streams, compressed: `zip entry "${entry.name}"` };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

async function listZipEntries(path: string, handle: FileHandle): Promise<StreamZip.ZipEntry[]> {
  // node-stream-zip reads the central directory through our descriptor; we close it, not the library.
  const zip = new StreamZip.async({ fd: handle.fd, storeEntries: true, skipEntryNameValidation: true });
  try {
    return Object.values(await zip.entries());
  } catch (error) {
    throw new InputError(path, `not a valid zip archive (${(error as Error).message})`);
  }
}

const entryList = (entries: readonly StreamZip.ZipEntry[]): string => {
  const names = entries.slice(0, 5).map((entry) => entry.name);
  return entries.length > 5 ? `${names.join(', ')}, … (${entries.length} in all)` : names.join(', ');
};

function namedZipEntry(path: string, entries: readonly StreamZip.ZipEntry[], name: string): StreamZip.ZipEntry {
  const entry = entries.find((candidate) => candidate.name === name);
  if (entry === undefined) throw new InputError(path, `no entry "${name}" in the archive (entries: ${entryList(entries) || 'none'})`);
  return entry;
}

/**
 * The entry to read when the path names none: the only IDX entry of the wanted kind, judged by
 * its header (3-D images, 1-D labels), or by its name when the headers leave several or none.
 */
async function pickZipEntry(path: string, handle: FileHandle, entries: readonly StreamZip.ZipEntry[], kind: IdxKind | undefined): Promise<StreamZip.ZipEntry> {
  const files = entries.filter((entry) => entry.isFile);
  const probes: { entry: StreamZip.ZipEntry; ndim: number | undefined; readable: boolean }[] = [];
  for (const entry of files) {
    try {
      const entryHead = await zipEntryHead(handle, entry, await zipDataOffset(path, handle, entry));
      const head = isGzip(entryHead) ? gunzipSync(entryHead, { finishFlush: zlibConstants.Z_SYNC_FLUSH }) : entryHead;
      // Any IDX dtype counts: the decoder then says "unsupported dtype" rather than "no IDX file".
      const idx = head.length >= 4 && head[0] === 0 && head[1] === 0 && IDX_DTYPES.has(head[2]) && head[3] > 0;
      probes.push({ entry, ndim: idx ? head[3] : undefined, readable: true });
    } catch {
      probes.push({ entry, ndim: undefined, readable: false });
    }
  }
  const wantedNdim = kind === undefined ? undefined : kind === 'images' ? 3 : 1;
  const hint = kind === undefined ? undefined : ZIP_NAME_HINTS[kind];
  const idx = probes.filter((probe) => probe.ndim !== undefined);
  const matching = idx.filter((probe) => wantedNdim === undefined || probe.ndim === wantedNdim).map((probe) => probe.entry);
  const what = kind === undefined ? 'IDX file' : `IDX ${kind}`;
  const several = kind === undefined ? 'IDX files' : `IDX ${kind}`;
  if (matching.length === 1) return matching[0];
  if (matching.length === 0) {
    const unreadable = probes.filter((probe) => !probe.readable && hint?.test(probe.entry.name)).map((probe) => probe.entry);
    if (unreadable.length === 1) return unreadable[0];
    if (idx.length === 0) throw new InputError(path, `no IDX file in the archive (entries: ${entryList(files) || 'none'})`);
    throw new InputError(path, `no ${what} in the archive (found ${entryList(idx.map((probe) => probe.entry))})`);
  }
  const named = hint === undefined ? [] : matching.filter((entry) => hint.test(entry.name));
  if (named.length === 1) return named[0];
  throw new InputError(path, `several ${several} in the archive (${entryList(matching)}); choose one as ${path}:<entry>`);
}

function checkZipEntry(path: string, entry: StreamZip.ZipEntry, maxEntryBytes: number): void {
  const name = `zip entry "${entry.name}"`;
  if (!entry.isFile) throw new InputError(path, `${name} is a directory`);
  if (entry.encrypted) throw new InputError(path, `${name} is encrypted`);
  if (entry.method !== ZIP_STORED && entry.method !== ZIP_DEFLATED) {
    throw new InputError(path, `${name} uses compression method ${entry.method}, expected 0 (stored) or 8 (deflated)`);
  }
  if (entry.size > maxEntryBytes) {
    throw new InputError(path, `${name} declares ${entry.size} bytes uncompressed, over the limit of ${maxEntryBytes}`);
  }
}

/** Where the entry's data starts: after its local header, whose name and extra field lengths may differ from the directory's. */
async function zipDataOffset(path: string, handle: FileHandle, entry: StreamZip.ZipEntry): Promise<number> {
  const header = Buffer.alloc(ZIP_LOCAL_HEADER_SIZE);
  const { bytesRead } = await handle.read(header, 0, header.length, entry.offset);
  if (bytesRead < header.length || header.readUInt32LE(0) !== ZIP_LOCAL_HEADER) {
    throw new InputError(path, `zip entry "${entry.name}" has no valid local header (corrupted archive)`);
  }
  return entry.offset + ZIP_LOCAL_HEADER_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
}

/** The first bytes of an entry's data (a few hundred at least), to recognise IDX or gzip data. */
async function zipEntryHead(handle: FileHandle, entry: StreamZip.ZipEntry, dataOffset: number): Promise<Uint8Array> {
  if (entry.encrypted || (entry.method !== ZIP_STORED && entry.method !== ZIP_DEFLATED)) throw new Error('unreadable entry');
  const compressed = Buffer.alloc(Math.min(entry.compressedSize, ENTRY_PROBE_BYTES));
  const { bytesRead } = await handle.read(compressed, 0, compressed.length, dataOffset);
  const head = compressed.subarray(0, bytesRead);
  return entry.method === ZIP_DEFLATED ? inflateRawSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }) : head;
}

/** Passes an entry's bytes through, checking them against the size and CRC-32 its directory record declares. */
function verifyZipEntry(path: string, entry: StreamZip.ZipEntry, highWaterMark: number): Transform {
  const name = `zip entry "${entry.name}"`;
  let size = 0;
  let crc = 0;
  return new Transform({
    highWaterMark,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      size += chunk.length;
      if (size > entry.size) return callback(new InputError(path, `${name} holds more than its declared ${entry.size} bytes`));
      crc = crc32(chunk, crc);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (size < entry.size) return callback(new InputError(path, `truncated: ${name} holds ${size} of its declared ${entry.size} bytes`));
      if (crc !== entry.crc) return callback(new InputError(path, `${name} fails its CRC-32 check (corrupted archive)`));
      callback();
    },
  });
}

/**
 * The one-line InputError for a failure while opening or reading `path`; `compressed` says what
 * zlib was decompressing. Errors that are not the user's (bugs) pass through unchanged.
 */
export function toInputError(path: string, error: unknown, compressed = 'gzip data'): Error {
  if (error instanceof InputError || !(error instanceof Error)) return error as Error;
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOENT':
      return new InputError(path, 'no such file');
    case 'ENOTDIR':
      return new InputError(path, 'no such file (a folder on the path is a file)');
    case 'EACCES':
    case 'EPERM':
      return new InputError(path, 'permission denied');
    case 'EISDIR':
      return new InputError(path, 'is a directory, expected a file');
    case 'Z_BUF_ERROR':
      return new InputError(path, `truncated ${compressed} (unexpected end of file)`);
    case 'Z_DATA_ERROR':
      // The stream began with the gzip magic, so a bad header check can only be a later "member".
      if (compressed === 'gzip data' && message === 'incorrect header check') return new InputError(path, 'trailing garbage after the gzip data');
      return new InputError(path, `corrupted ${compressed} (${message})`);
  }
  if (code?.startsWith('Z_')) return new InputError(path, `corrupted ${compressed} (${message})`);
  if ('syscall' in error) return new InputError(path, `cannot read (${message})`);
  return error;
}
