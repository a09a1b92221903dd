/**
 * One IDX file read on demand: its byte stream feeds an IdxDecoder only as far as the records
 * asked for need, so the stream stays paused otherwise. Skipping records seeks in a raw file.
 * A raw remote object is read by Range: its header alone first, then from the first record
 * wanted, so a shard asks for no byte before its own.
 */
import type { Readable } from 'node:stream';
import { IdxDecoder, idxHeaderSize, type IdxHeader, type IdxKind } from './idx.js';
import { isSeekableFile, openByteStream, type OpenOptions } from './open.js';
import { isRemote } from './remote-url.js';

/** Skipping at least this many bytes of a raw file seeks instead of reading them. */
const SEEK_BYTES = 4 * 2 ** 20;

/** Pulls chunks of one IDX file into its decoder, only as many as the records asked for need. */
export class IdxReader {
  readonly decoder: IdxDecoder;
  readonly #path: string;
  readonly #options: OpenOptions;
  #stream: Readable | undefined;
  #chunks: AsyncIterator<Uint8Array> | undefined;
  /** Where the next stream starts (a raw file or object), once the bytes before it are skipped. */
  #position = 0;
  #seekable: Promise<boolean> | undefined;
  /** Where the next stream of a raw remote object ends (`stopAfter`); undefined for its end. */
  #end: number | undefined;

  constructor(path: string, kind: IdxKind, options: OpenOptions) {
    this.#path = path;
    // One version of a remote object for every Range this reader asks for.
    this.#options = { ...options, kind, version: {} };
    this.decoder = new IdxDecoder(path, kind);
  }

  #open(start: number): Readable {
    const stream = openByteStream(this.#path, { ...this.#options, start, end: this.#end });
    // The iterator listens for errors only from its first next(); until then, this listener keeps
    // a failure of the one file we are not reading yet from being an uncaught 'error' event.
    stream.on('error', () => {});
    return stream;
  }

  async header(): Promise<IdxHeader> {
    if (this.decoder.header === undefined && this.#stream === undefined && isRemote(this.#path) && (await this.#isSeekable())) await this.#readRemoteHeader();
    while (this.decoder.header === undefined) await this.#pull();
    return this.decoder.header;
  }

  /** Reads until `records` records are available; the header bounds how many can be asked for. */
  async fill(records: number): Promise<void> {
    while (this.decoder.available < records) {
      if (!(await this.#pull())) throw new Error(`IdxReader: ${records} records asked for beyond the end`);
    }
  }

  /**
   * Drops the next `records` records, which must follow the header directly. A raw file seeks past
   * them (when they are more than a few MiB); anything else reads them and throws them away.
   */
  async skip(records: number): Promise<void> {
    const header = await this.header();
    const bytes = records * header.recordSize;
    // Nothing of a remote object is read past its header yet: starting later costs nothing.
    if ((bytes >= SEEK_BYTES || (this.#stream === undefined && bytes > 0)) && (await this.#isSeekable())) {
      this.close();
      this.#position = header.headerSize + bytes;
      this.decoder.seek(records);
      return;
    }
    for (let left = records; left > 0; ) {
      await this.fill(1);
      const n = Math.min(left, this.decoder.available);
      this.decoder.skip(n);
      left -= n;
    }
  }

  /**
   * No record after the first `records` will be read: the next Range of a raw remote object ends
   * there, so a shard asks for no byte after its own either. Files are read as before.
   */
  async stopAfter(records: number): Promise<void> {
    const header = await this.header();
    this.#end = header.headerSize + records * header.recordSize;
  }

  /** Reads to the end of the stream, which checks for trailing bytes and lets zlib check its trailer. */
  async finish(): Promise<void> {
    while (await this.#pull());
  }

  close(): void {
    this.#stream?.destroy();
    this.#stream = undefined;
    this.#chunks = undefined;
  }

  #isSeekable(): Promise<boolean> {
    this.#seekable ??= isSeekableFile(this.#path, this.#options.version);
    return this.#seekable;
  }

  /** The header of a raw remote object by two small Ranges: its magic number, then its dimensions. */
  async #readRemoteHeader(): Promise<void> {
    const magic = await this.#readRange(0, 4);
    this.decoder.push(magic);
    if (magic.length < 4) this.decoder.end();
    const size = idxHeaderSize(magic, this.#path);
    const dims = await this.#readRange(4, size);
    this.decoder.push(dims);
    if (dims.length < size - 4) this.decoder.end();
    this.#position = size;
  }

  async #readRange(start: number, end: number): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const chunk of openByteStream(this.#path, { ...this.#options, start, end })) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * Opens the stream now, before anything is read: its chain (a file, gunzip) then reads and
   * inflates ahead, as far as its buffers allow, while the caller does other work.
   */
  start(): void {
    this.#opened();
  }

  #opened(): AsyncIterator<Uint8Array> {
    if (this.#chunks === undefined) {
      this.#stream = this.#open(this.#position);
      this.#chunks = this.#stream[Symbol.asyncIterator]();
    }
    return this.#chunks;
  }

  /** Feeds one more chunk to the decoder; false at the end of the stream, once the decoder has checked it. */
  async #pull(): Promise<boolean> {
    const next = await this.#opened().next();
    if (next.done) {
      this.decoder.end();
      return false;
    }
    this.decoder.push(next.value);
    return true;
  }
}
