/**
 * Gzip, recognised by its magic bytes 1f 8b whatever the file's name. zlib checks each member's
 * trailer (CRC-32 and length) as the stream ends, reads concatenated members as one stream and
 * ignores zero padding; `toInputError` names its failures, and other bytes after the last member
 * ("incorrect header check") as trailing garbage.
 */
import { constants as zlibConstants, createGunzip, gunzipSync, type Gunzip } from 'node:zlib';

export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** zlib's output chunk size: the read size, but at least zlib's minimum. */
export const zlibChunk = (highWaterMark: number): number => Math.max(highWaterMark, zlibConstants.Z_MIN_CHUNK);

/** A stream that gunzips, in output chunks of about `highWaterMark` bytes. */
export const gunzip = (highWaterMark: number): Gunzip => createGunzip({ chunkSize: zlibChunk(highWaterMark) });

/**
 * What the first bytes of a gzip stream inflate to, as far as they go (no trailer to check yet).
 * Throws zlib's error when they are not valid gzip data.
 */
export const gunzipHead = (head: Uint8Array): Buffer => gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
