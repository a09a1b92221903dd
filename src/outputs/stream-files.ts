/** The streams of staged outputs: waiting for room, finishing (fsync) or dropping a stream, and copying the file staged for standard output. */
import { createReadStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { InputError } from '../errors.js';

/**
 * Copies the file staged for standard output to `stdout`, without ending it. A reader that has
 * gone (EPIPE) ends the copy quietly, as the CLI's own printing does; another error is one line.
 */
export async function copyToStdout(temp: string, stdout: NodeJS.WritableStream): Promise<void> {
  const gone = (error: NodeJS.ErrnoException): boolean => error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
  for await (const chunk of createReadStream(temp, { highWaterMark: 256 * 1024 })) {
    const failed = await new Promise<NodeJS.ErrnoException | null | undefined>((done) => stdout.write(chunk as Buffer, done));
    if (failed && gone(failed)) return;
    if (failed) throw new InputError('standard output', failed.message);
  }
}

/** Resolves on the stream's next 'drain', 'error' or 'close', whichever comes first. */
export function drained(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

/** Ends the stream, then fsyncs the file (a WriteStream cannot), and reports any write error. */
export async function finishStream(entry: { stream: WriteStream; error?: Error }): Promise<void> {
  const { stream } = entry;
  if (!stream.closed) {
    const closed = once(stream, 'close');
    stream.end();
    await closed.catch(() => undefined);
  }
  if (entry.error) throw entry.error;
  const handle = await open(stream.path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Stops the stream without caring about its data; its file is deleted afterwards. */
export async function closeStream(entry: { stream: WriteStream }): Promise<void> {
  const { stream } = entry;
  if (stream.closed) return;
  const closed = once(stream, 'close');
  stream.destroy();
  await closed.catch(() => undefined);
}
