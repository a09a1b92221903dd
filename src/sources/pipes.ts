/**
 * A pipe can be read only once: a FIFO (`mkfifo`), `/dev/fd/N` (bash's `<(zcat …)`), `/dev/stdin`
 * on a pipe. Reading its IDX header first (to plan the run) must not lose the bytes the data read
 * needs, so the header read keeps its stream here, every byte it read put back at the front
 * (`peekHead`), and the next open of the same path takes that stream instead of opening the
 * path again: both reads see one stream, as with `-` (process.stdin, which Node keeps).
 *
 * This is process state, as the pipe itself is: a path is kept from its header read to its
 * open, and the open takes it out.
 */
import { closeSync, constants, createReadStream, fstatSync, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { zipEntryPath } from './format-of.js';

const kept = new Map<string, Readable>();

/**
 * True for `-` and the names of standard input (`/dev/stdin`, `/dev/fd/0`, `/proc/self/fd/0`),
 * which are read from process.stdin: opening them again fails when standard input is a socket
 * (ENXIO, as under Node's child_process), and would start a second reader of a pipe.
 */
export const isStdin = (path: string): boolean => path === '-' || path === '/dev/stdin' || path === '/dev/fd/0' || path === '/proc/self/fd/0';

/** True when `path` is a FIFO, a socket or a character device: a stream that cannot be read twice. */
export async function isPipe(path: string): Promise<boolean> {
  if (isStdin(path) || zipEntryPath(path) !== undefined) return false;
  const stats = await stat(path).catch(() => undefined);
  return stats !== undefined && (stats.isFIFO() || stats.isSocket() || stats.isCharacterDevice());
}

/** The stream kept for `path` by a header read, or a new one; the caller gives it back with `keepPipe`. */
export function pipeStream(path: string, highWaterMark: number): Readable {
  const stream = takePipe(path) ?? openPipe(path, highWaterMark);
  // Until a reader iterates it, this listener keeps a read error from being an uncaught 'error' event.
  stream.on('error', () => {});
  return stream;
}

/**
 * A FIFO or a socket opened without blocking, read through libuv's pipe handle: a plain open
 * (and createReadStream's) waits in a thread of libuv's pool until a writer comes, which nothing
 * can cancel, so a FIFO nobody writes to would hold the process after Ctrl-C. Opened with
 * O_NONBLOCK the open returns at once, and the reads wait in the event loop, where destroying
 * the stream ends them. Other devices (/dev/zero) are read as files; their reads do not wait.
 * An open that fails comes back as the stream's error, as createReadStream's does.
 */
export function openPipe(path: string, highWaterMark: number): Readable {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const failed = new Readable({ read() {} });
    process.nextTick(() => failed.destroy(error as Error));
    return failed;
  }
  const stats = fstatSync(fd);
  if (stats.isFIFO() || stats.isSocket()) return new Socket({ fd, readable: true, writable: false });
  closeSync(fd);
  return createReadStream(path, { highWaterMark });
}

/** Keeps `stream`, with whatever was read of it put back, for the next open of `path`. */
export function keepPipe(path: string, stream: Readable): void {
  kept.get(path)?.destroy();
  kept.set(path, stream);
}

/** The stream kept for `path`, taken out; undefined when none is kept. */
export function takePipe(path: string): Readable | undefined {
  const stream = kept.get(path);
  kept.delete(path);
  return stream;
}

/**
 * Lets the process exit while `stream` waits for data (a pipe's handle that is reading holds
 * the event loop), or holds it again: a stream whose header was peeked is unreferenced until
 * its reader comes (openSequential), so that a run ending before it reads (a bad weight file,
 * a signal) does not wait for the pipe's writer. Streams without a handle are left as they are.
 */
export function holdProcess(stream: Readable, hold: boolean): void {
  const handle = stream as Readable & { ref?: () => unknown; unref?: () => unknown };
  if (hold) handle.ref?.();
  else handle.unref?.();
}
