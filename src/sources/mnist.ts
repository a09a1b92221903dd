/**
 * MNIST as cold Observables: an IDX images file and an IDX labels file read in lockstep.
 * Nothing opens until subscribe; unsubscribing, an error or the end closes both files.
 */
import { Observable, throwError, type Subscriber } from 'rxjs';
import { InputError, UsageError } from '../errors.js';
import { expectIdxKind, idxHeaderSize, parseIdxHeader, type IdxHeader, type IdxKind } from './idx.js';
import { IdxReader } from './idx-reader.js';
import type { OpenOptions } from './open.js';
import { peekHead } from './peek-head.js';
import { isPipe, isStdin, keepPipe, pipeStream } from './pipes.js';
import { isRemote } from './remote-url.js';
import { selectedRange } from './shards.js';
import type { Batch, RecordRange, Sample } from '../types.js';

export type { IdxHeader, IdxKind } from './idx.js';

export interface ReadOptions extends Pick<OpenOptions, 'maxEntryBytes' | 'highWaterMark'> {
  /** Index of the first sample to emit; the ones before are skipped unread. Default 0. */
  readonly offset?: number;
  /** Most samples to emit. Default: all to the end. */
  readonly limit?: number;
  /** Labels must lie in 0..classes-1. Default 10. */
  readonly classes?: number;
  /**
   * Backpressure: awaited before each read of the files (each batch of readBatches$, each run of
   * buffered samples of readSamples$). Until it resolves nothing more is read, so the file streams
   * stay paused; see `Credits.room`.
   */
  readonly ready?: () => PromiseLike<void> | void;
  /** The images file already opened by `openImagesAhead` (same path), read instead of opening it again. */
  readonly images?: IdxReader;
}

/** Emits each sample of the images and labels files, in order. */
export function readSamples$(imagesPath: string, labelsPath: string, options: ReadOptions = {}): Observable<Sample> {
  return pairedSource$(imagesPath, labelsPath, options, async (pair, range, subscriber) => {
    const { images, labels } = pair;
    for (let index = range.start; index < range.end; ) {
      await options.ready?.();
      if (subscriber.closed) return;
      await images.fill(1);
      await labels.fill(1);
      if (subscriber.closed) return;
      const run = Math.min(images.decoder.available, labels.decoder.available, range.end - index);
      const t = labels.decoder.take(run);
      for (let i = 0; i < run; i++, index++) {
        const label = checkLabel(t[i], index, labelsPath, options);
        subscriber.next({ index, pixels: images.decoder.take(1), label });
        if (subscriber.closed) return;
      }
    }
  });
}

/** Emits the samples in batches of `batchSize` (the last may hold fewer), each in contiguous arrays. */
export function readBatches$(imagesPath: string, labelsPath: string, batchSize: number, options: ReadOptions = {}): Observable<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    return throwError(() => new UsageError(`batch size must be a positive integer, got ${batchSize}`));
  }
  return pairedSource$(imagesPath, labelsPath, options, async (pair, range, subscriber) => {
    const { images, labels } = pair;
    const size = images.decoder.header!.recordSize;
    for (let start = range.start; start < range.end; start += batchSize) {
      const count = Math.min(batchSize, range.end - start);
      await options.ready?.();
      if (subscriber.closed) return;
      await images.fill(count);
      await labels.fill(count);
      if (subscriber.closed) return;
      const t = labels.decoder.take(count);
      for (let i = 0; i < count; i++) checkLabel(t[i], start + i, labelsPath, options);
      subscriber.next({ start, count, size, pixels: images.decoder.take(count), labels: t });
    }
  });
}

/**
 * The header of an IDX file of `kind`, read and checked without reading the records. For `-` or
 * `/dev/stdin` (standard input) and for a pipe (a FIFO, `/dev/fd/N`, `/dev/stdin`) the bytes read are put back
 * and the stream kept, so that the data can still be read once after this (see pipes.ts). A
 * `signal` ends a wait for a pipe's first bytes (the stream is then destroyed).
 */
export async function readIdxHeaderOf(path: string, kind: IdxKind, options: Pick<OpenOptions, 'maxEntryBytes' | 'highWaterMark'> & { readonly signal?: AbortSignal } = {}): Promise<IdxHeader> {
  const { signal } = options;
  if (isStdin(path)) return peekHead(path, process.stdin, (head) => headerIn(head, path, kind), signal);
  if (await isPipe(path)) {
    const stream = pipeStream(path, options.highWaterMark ?? 2 ** 16);
    try {
      const header = await peekHead(path, stream, (head) => headerIn(head, path, kind), signal);
      keepPipe(path, stream);
      return header;
    } catch (error) {
      stream.destroy();
      throw error;
    }
  }
  const reader = new IdxReader(path, kind, options);
  try {
    return await reader.header();
  } finally {
    reader.close();
  }
}

/**
 * An images file opened before the run reads it, so that its file and gunzip streams read and
 * inflate ahead (zlib's buffers bound how far) while the caller loads the weights: give it to
 * readBatches$ as `images`, or close it. Undefined for standard input, pipes and URLs, which are
 * opened when read.
 */
export async function openImagesAhead(path: string): Promise<IdxReader | undefined> {
  if (isStdin(path) || isRemote(path) || (await isPipe(path))) return undefined;
  const reader = new IdxReader(path, 'images', {});
  reader.start();
  return reader;
}

/** The header at the start of `head` once it is all there, else undefined. */
function headerIn(head: Uint8Array, path: string, kind: IdxKind): IdxHeader | undefined {
  if (head.length < 4 || head.length < idxHeaderSize(head, path)) return undefined;
  const header = parseIdxHeader(head, path);
  expectIdxKind(header, kind, path);
  return header;
}

interface Pair {
  readonly images: IdxReader;
  readonly labels: IdxReader;
}

/** `range`: which samples to emit. */
type Emit<T> = (pair: Pair, range: RecordRange, subscriber: Subscriber<T>) => Promise<void>;

/**
 * A cold Observable over an images file and a labels file: on subscribe it opens both, checks
 * their headers agree, skips to `offset`, lets `emit` send the samples, and, when the range runs
 * to the end of the files, reads on to their end so truncation, trailing bytes and gzip CRCs are
 * checked. Both files close on completion, error and unsubscribe.
 */
function pairedSource$<T>(imagesPath: string, labelsPath: string, options: ReadOptions, emit: Emit<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const open: IdxReader[] = [];
    const closeAll = (): void => open.forEach((reader) => reader.close());
    const run = async (): Promise<void> => {
      checkOptions(imagesPath, labelsPath, options);
      const images = options.images ?? new IdxReader(imagesPath, 'images', options);
      open.push(images);
      const labels = new IdxReader(labelsPath, 'labels', options);
      open.push(labels);
      const imagesHeader = await images.header();
      const labelsHeader = await labels.header();
      if (imagesHeader.count !== labelsHeader.count) {
        throw new InputError(labelsPath, `declares ${labelsHeader.count} labels, but ${imagesPath} declares ${imagesHeader.count} images`);
      }
      const range = selectedRange(imagesHeader.count, options);
      await images.skip(range.start);
      await labels.skip(range.start);
      if (range.end < range.size) {
        await images.stopAfter(range.end);
        await labels.stopAfter(range.end);
      }
      if (subscriber.closed) return;
      await emit({ images, labels }, range, subscriber);
      if (subscriber.closed || range.end < range.size) return;
      await images.finish();
      await labels.finish();
    };
    run().then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(error),
    ).finally(closeAll);
    return closeAll;
  });
}

function checkOptions(imagesPath: string, labelsPath: string, options: ReadOptions): void {
  const { offset = 0, limit = Infinity, classes = 10 } = options;
  if (!Number.isInteger(offset) || offset < 0) throw new UsageError(`offset must be a non-negative integer, got ${offset}`);
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) throw new UsageError(`limit must be a non-negative integer, got ${limit}`);
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) throw new UsageError(`classes must be an integer in 1..256, got ${classes}`);
  if (isStdin(imagesPath) && isStdin(labelsPath)) throw new UsageError('images and labels cannot both come from standard input (-)');
}

function checkLabel(label: number, index: number, labelsPath: string, options: ReadOptions): number {
  const classes = options.classes ?? 10;
  if (label >= classes) throw new InputError(labelsPath, `label ${label} at index ${index} is outside 0..${classes - 1}`);
  return label;
}
