/**
 * How to read a data path: a named zip entry by its name (`archive.zip:entry`); otherwise gzip
 * and zip by their magic bytes, then by the name's extension, else raw bytes.
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { isGzip } from './gzip.js';

export type Format = 'gzip' | 'zip' | 'raw';

/** A local file header (50 4b 03 04), or the end record of an empty archive (50 4b 05 06). */
const isZip = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));

/** `archive.zip:entry` as the archive's path and the entry's name; undefined for any other path. */
export function zipEntryPath(path: string): { readonly archive: string; readonly entry: string } | undefined {
  const named = /^(.*\.zip):(.+)$/is.exec(path);
  return named === null ? undefined : { archive: named[1], entry: named[2] };
}

/** How to read a file from its first bytes and its name: gzip and zip by their magic, or by name. */
export function formatOf(path: string, head: Uint8Array): Format {
  if (head.length === 0) throw new InputError(path, 'empty file');
  if (isGzip(head)) return 'gzip';
  if (isZip(head) || /\.zip$/i.test(path)) return 'zip';
  if (/\.gz$/i.test(path)) throw new InputError(path, 'not a gzip file');
  return 'raw';
}

/** `formatOf` the file open as `handle`, from its first 4 bytes. */
export async function formatOfFile(path: string, handle: FileHandle): Promise<Format> {
  const magic = Buffer.alloc(4);
  const { bytesRead } = await handle.read(magic, 0, 4, 0);
  return formatOf(path, magic.subarray(0, bytesRead));
}
