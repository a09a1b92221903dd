/**
 * One IDX file read on demand: its byte stream feeds an IdxDecoder only as far as the records
 * asked for need, so the stream stays paused otherwise. Skipping records seeks in a raw file.
 */
import type { Readable } from 'node:stream';
import { IdxDecoder, type IdxHeader, type IdxKind } from './idx.js';
import { isSeekableFile, openByteStream, type OpenOptions } from './open.js';

/** Skipping at least this many bytes of a raw file seeks instead of reading them. */
const SEEK_BYTES = 4 * 2 ** 20;

/** Pulls chunks of one IDX file into its decoder, only as many as the records asked for need. */
export class IdxReader {
  readonly decoder: IdxDecoder;
  readonly #path: string;
  readonly #options: OpenOptions;
  #stream: Readable;
  #chunks: AsyncIterator<Uint8Array>;

  constructor(path: string, kind: IdxKind, options: OpenOptions) {
    this.#path = path;
    this.#options = { ...options, kind };
    this.#stream = this.#open(0);
    this.#chunks = this.#stream[Symbol.asyncIterator]();
    this.decoder = new IdxDecoder(path, kind);
  }

  #open(start: number): Readable {
    const stream = openByteStream(this.#path, { ...this.#options, start });
    // The iterator listens for errors only from its first next(); until then, this listener keeps
    // a failure of the one file we are not reading yet from being an uncaught 'error' event.
    stream.on('error', () => {});
    return stream;
  }

  async header(): Promise<IdxHeader> {
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
    if (bytes >= SEEK_BYTES && (await isSeekableFile(this.#path))) {
      this.#stream.destroy();
      this.#stream = this.#open(header.headerSize + bytes);
      this.#chunks = this.#stream[Symbol.asyncIterator]();
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

  /** Reads to the end of the stream, which checks for trailing bytes and lets zlib check its trailer. */
  async finish(): Promise<void> {
    while (await this.#pull());
  }

  close(): void {
    this.#stream.destroy();
  }

  /** Feeds one more chunk to the decoder; false at the end of the stream, once the decoder has checked it. */
  async #pull(): Promise<boolean> {
    const next = await this.#chunks.next();
    if (next.done) {
      this.decoder.end();
      return false;
    }
    this.decoder.push(next.value);
    return true;
  }
}
