/**
 * Reading one entry of a zip archive, stored or deflated, with its size and CRC-32 checked.
 *
 * node-stream-zip reads the central directory; the entry's data we read ourselves through our own
 * file handle (local header, then inflate, then a size and CRC-32 check with zlib.crc32), so that
 * destroying the stream leaves no read of the library's pending on a closed descriptor, and reads
 * are as large as the caller's high-water mark rather than the library's 16 KiB.
 */
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import StreamZip from 'node-stream-zip';
import { InputError } from '../errors.js';
import type { Chain } from './byte-stream.js';
import { gunzip, inflateHead, inflateRaw, isGzip } from './gzip.js';
import type { IdxKind } from './idx.js';
import { namedZipEntry, pickZipEntry } from './pick-zip-entry.js';

type ZipEntry = StreamZip.ZipEntry;

export interface ZipEntryOptions {
  /** Which entry to read when the path names none: the 3-D images or the 1-D labels. */
  readonly kind?: IdxKind;
  /** Largest uncompressed size the entry may declare, in bytes. Default 4 GiB. */
  readonly maxEntryBytes?: number;
  /** Bytes per file read and per chunk out of zlib. */
  readonly highWaterMark: number;
}

const DEFAULT_MAX_ENTRY_BYTES = 4 * 2 ** 30;
const ZIP_STORED = 0;
const ZIP_DEFLATED = 8;
const ZIP_LOCAL_HEADER = 0x04034b50;
const ZIP_LOCAL_HEADER_SIZE = 30;
/** Compressed bytes read from a zip entry to see its first bytes, and the most of them inflated. */
const ENTRY_PROBE_BYTES = 4096;
export const ENTRY_HEAD_BYTES = 4096;

/**
 * Opens the entry `entryName` (or, when undefined, the one `pickZipEntry` chooses) of the zip
 * archive behind `handle`; the chain owns the handle from then on, and closes it on failure.
 */
export async function openZipEntry(path: string, handle: FileHandle, entryName: string | undefined, options: ZipEntryOptions): Promise<Chain> {
  try {
    const entries = await listZipEntries(path, handle);
    const entry =
      entryName === undefined
        ? await pickZipEntry(path, entries, options.kind, async (candidate) => zipEntryHead(handle, candidate, await zipDataOffset(path, handle, candidate)))
        : namedZipEntry(path, entries, entryName);
    checkZipEntry(path, entry, options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES);
    const dataOffset = await zipDataOffset(path, handle, entry);
    const head = await zipEntryHead(handle, entry, dataOffset).catch(() => new Uint8Array(0));
    const { highWaterMark } = options;
    const streams: Readable[] = [];
    if (entry.compressedSize === 0) {
      await handle.close();
      streams.push(Readable.from([], { objectMode: false }));
    } else {
      streams.push(createReadStream(path, { fd: handle, start: dataOffset, end: dataOffset + entry.compressedSize - 1, highWaterMark }));
    }
    if (entry.method === ZIP_DEFLATED) streams.push(inflateRaw(highWaterMark));
    streams.push(verifyZipEntry(path, entry, highWaterMark));
    if (isGzip(head)) streams.push(gunzip(highWaterMark));
    return { streams, compressed: `zip entry "${entry.name}"` };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

async function listZipEntries(path: string, handle: FileHandle): Promise<ZipEntry[]> {
  // node-stream-zip reads the central directory through our descriptor; we close it, not the library.
  const zip = new StreamZip.async({ fd: handle.fd, storeEntries: true, skipEntryNameValidation: true });
  try {
    return Object.values(await zip.entries());
  } catch (error) {
    throw new InputError(path, `not a valid zip archive (${(error as Error).message})`);
  }
}

function checkZipEntry(path: string, entry: ZipEntry, maxEntryBytes: number): void {
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
export async function zipDataOffset(path: string, handle: FileHandle, entry: ZipEntry): Promise<number> {
  const header = Buffer.alloc(ZIP_LOCAL_HEADER_SIZE);
  const { bytesRead } = await handle.read(header, 0, header.length, entry.offset);
  if (bytesRead < header.length || header.readUInt32LE(0) !== ZIP_LOCAL_HEADER) {
    throw new InputError(path, `zip entry "${entry.name}" has no valid local header (corrupted archive)`);
  }
  return entry.offset + ZIP_LOCAL_HEADER_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
}

/**
 * The first bytes of an entry's data (at most {@link ENTRY_HEAD_BYTES}), to recognise IDX or gzip
 * data: at most 4 KiB of it is read, and inflating stops after 4 KiB of output, so that looking at
 * an entry costs the same whatever it would inflate to.
 */
export async function zipEntryHead(handle: FileHandle, entry: ZipEntry, dataOffset: number): Promise<Uint8Array> {
  if (entry.encrypted || (entry.method !== ZIP_STORED && entry.method !== ZIP_DEFLATED)) throw new Error('unreadable entry');
  const compressed = Buffer.alloc(Math.min(entry.compressedSize, ENTRY_PROBE_BYTES));
  const { bytesRead } = await handle.read(compressed, 0, compressed.length, dataOffset);
  const head = compressed.subarray(0, bytesRead);
  return entry.method === ZIP_DEFLATED ? inflateHead(head, 'raw', ENTRY_HEAD_BYTES) : head.subarray(0, ENTRY_HEAD_BYTES);
}

/** Passes an entry's bytes through, checking them against the size and CRC-32 its directory record declares. */
function verifyZipEntry(path: string, entry: ZipEntry, highWaterMark: number): Transform {
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
