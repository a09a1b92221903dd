/**
 * The Readable that `openByteStream` returns, over a chain of streams that an opener builds
 * (a file, then gunzip; an archive's entry, then inflate and its checks; …). It opens the chain on
 * the next tick, never on the caller's stack; destroying it, even while the chain is still opening,
 * closes every stream of the chain; every error it emits names the path as given.
 */
import { Readable, pipeline } from 'node:stream';
import { toInputError } from './to-input-error.js';

/** The streams of an open source, first to last, and what its zlib errors are about. */
export interface Chain {
  readonly streams: Readable[];
  /** The stream the first one reads from, when it is not in `streams` but must close with them. */
  readonly source?: Readable;
  readonly compressed: string;
}

const ignore = (): void => {};

export class ByteStream extends Readable {
  readonly #path: string;
  readonly #openChain: () => Promise<Chain>;
  #streams: Readable[] = [];
  #chunks: AsyncIterator<Buffer> | undefined = undefined;
  #compressed = 'gzip data';

  /** Reads the last stream of what `openChain` opens; errors name `path`. */
  constructor(path: string, highWaterMark: number, openChain: () => Promise<Chain>) {
    super({ highWaterMark });
    this.#path = path;
    this.#openChain = openChain;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.#openChain().then(
      (chain) => {
        // If destroy() came while opening, _destroy runs after this callback and closes the chain.
        this.#streams = chain.source === undefined ? chain.streams : [...chain.streams, chain.source];
        this.#compressed = chain.compressed;
        if (!this.destroyed) {
          // Every failure reaches the reader through the last stream (pipeline destroys it with the
          // error); one a stream reports after pipeline is done with it (zlib's flush of a cut file
          // ending while the chain is being closed) is not a second, uncaught one.
          for (const stream of this.#streams) stream.on('error', ignore);
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
