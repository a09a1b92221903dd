/**
 * Gzip, recognised by its magic bytes 1f 8b whatever the file's name. zlib checks each member's
 * trailer (CRC-32 and length) as the stream ends, reads concatenated members as one stream and
 * ignores zero padding; `toInputError` names its failures, and other bytes after the last member
 * ("incorrect header check") as trailing garbage.
 */
import { constants as zlibConstants, createGunzip, createInflateRaw, gunzipSync, type Gunzip, type InflateRaw } from 'node:zlib';

export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** zlib's output chunk size: the read size, but at least zlib's minimum. */
const zlibChunk = (highWaterMark: number): number => Math.max(highWaterMark, zlibConstants.Z_MIN_CHUNK);

/** Output chunks an inflating stream may hold unread; see `gunzip`. */
export const GUNZIP_READ_AHEAD_CHUNKS = 4;

/**
 * A stream that gunzips, in output chunks of about `highWaterMark` bytes. zlib stops inflating
 * while its unread output is at its high-water mark; at Node's default (16 KiB, less than one chunk)
 * it would stop after every chunk until the reader, busy with the forward pass, took it, and the
 * inflating thread would wait on the main thread. So it may run a few chunks ahead.
 */
export const gunzip = (highWaterMark: number): Gunzip => createGunzip(streamOptions(highWaterMark));

/** A stream that inflates raw deflate data (a zip entry), as `gunzip` does. */
export const inflateRaw = (highWaterMark: number): InflateRaw => createInflateRaw(streamOptions(highWaterMark));

function streamOptions(highWaterMark: number): { chunkSize: number; readableHighWaterMark: number } {
  const chunkSize = zlibChunk(highWaterMark);
  return { chunkSize, readableHighWaterMark: GUNZIP_READ_AHEAD_CHUNKS * chunkSize };
}

/**
 * What the first bytes of a gzip stream inflate to, as far as they go (no trailer to check yet).
 * Throws zlib's error when they are not valid gzip data.
 */
export const gunzipHead = (head: Uint8Array): Buffer => gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });

/**
 * At most `maxBytes` of what `bytes` (deflate data, raw or gzip) inflate to, stopping there: zlib
 * works one output chunk at a time, so a few kilobytes that would inflate to megabytes (or an
 * entry of a zip bomb) cost one chunk. Truncated data gives what it holds; throws zlib's error
 * when `bytes` are not valid deflate data.
 */
export function inflateHead(bytes: Uint8Array, format: 'raw' | 'gzip', maxBytes: number): Promise<Buffer> {
  const options = { finishFlush: zlibConstants.Z_SYNC_FLUSH, chunkSize: Math.max(maxBytes, zlibConstants.Z_MIN_CHUNK) };
  const inflate = format === 'gzip' ? createGunzip(options) : createInflateRaw(options);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (): void => {
      inflate.destroy();
      const all = Buffer.concat(chunks, length);
      resolve(all.subarray(0, Math.min(maxBytes, all.length)));
    };
    inflate.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= maxBytes) done();
    });
    inflate.on('end', done);
    inflate.on('error', (error) => (length > 0 ? done() : reject(error)));
    inflate.end(bytes);
  });
}
