/**
 * IDX, the format of the MNIST files: a header, then `count` fixed-size records.
 *
 *   bytes 0–1   zero
 *   byte  2     dtype (0x08 = unsigned byte)
 *   byte  3     ndim
 *   then        ndim sizes, big-endian uint32; dims[0] is the record count
 *   then        count records of dims[1] × … × dims[ndim-1] elements
 *
 * Pure code: bytes in, headers and records out. No I/O, no RxJS.
 */
import { InputError } from '../errors.js';

/** MNIST images are 3-D (count × rows × cols), labels 1-D (count). */
export type IdxKind = 'images' | 'labels';

export interface IdxHeader {
  readonly dtype: 'uint8';
  readonly dims: number[];
  /** Number of records: dims[0]. */
  readonly count: number;
  /** Bytes per record: the product of dims[1…] (1 for a 1-D file). */
  readonly recordSize: number;
  /** 4 + 4 × ndim. */
  readonly headerSize: number;
}

const DTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x08, 'unsigned byte'],
  [0x09, 'int8'],
  [0x0b, 'int16'],
  [0x0c, 'int32'],
  [0x0d, 'float32'],
  [0x0e, 'float64'],
]);

/** The dimensions of each kind: images count × rows × cols, labels count. */
export const NDIM_OF_KIND: Readonly<Record<IdxKind, number>> = { images: 3, labels: 1 };

/**
 * Largest record we accept, refused at the header before anything is allocated: an image of
 * 4096x4096 pixels (16 MiB), far above MNIST's 28x28. Batches hold many records, as bytes and
 * then as floats, so the bound is kept well below what memory could take.
 */
export const MAX_RECORD_BYTES = 4096 * 4096;

const hex = (value: number, digits: number): string => `0x${value.toString(16).padStart(digits, '0')}`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The header's length in bytes, from its first 4 bytes (the magic number).
 * Throws an InputError naming `file` when they are not the magic number of a uint8 IDX file.
 */
export function idxHeaderSize(magic: Uint8Array, file: string): number {
  const [zero0, zero1, dtype, ndim] = magic;
  const word = ((zero0 << 24) | (zero1 << 16) | (dtype << 8) | ndim) >>> 0;
  if (zero0 !== 0 || zero1 !== 0) throw new InputError(file, `not an IDX file (magic ${hex(word, 8)})`);
  const name = DTYPE_NAMES.get(dtype);
  if (name === undefined) throw new InputError(file, `not an IDX file (magic ${hex(word, 8)}, unknown dtype ${hex(dtype, 2)})`);
  if (dtype !== 0x08) throw new InputError(file, `unsupported IDX dtype ${hex(dtype, 2)} (${name}), expected 0x08 (unsigned byte)`);
  if (ndim === 0) throw new InputError(file, `not an IDX file (magic ${hex(word, 8)}, no dimensions)`);
  return 4 + 4 * ndim;
}

/**
 * The ndim of the IDX file that starts with `head`, for any dtype of the format (so that a file
 * of another dtype is still recognised, to be refused by name); undefined for other data.
 */
export function idxNdimOf(head: Uint8Array): number | undefined {
  const [zero0, zero1, dtype, ndim] = head;
  return head.length >= 4 && zero0 === 0 && zero1 === 0 && DTYPE_NAMES.has(dtype) && ndim > 0 ? ndim : undefined;
}

/** Parses a complete IDX header (extra bytes after it are ignored). Errors name `file`. */
export function parseIdxHeader(bytes: Uint8Array, file = 'IDX data'): IdxHeader {
  if (bytes.length === 0) throw new InputError(file, 'empty file');
  if (bytes.length < 4) throw new InputError(file, `too short for an IDX file (${plural(bytes.length, 'byte')})`);
  const headerSize = idxHeaderSize(bytes, file);
  if (bytes.length < headerSize) throw new InputError(file, `truncated IDX header: ${bytes.length} of ${headerSize} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerSize);
  const dims: number[] = [];
  for (let offset = 4; offset < headerSize; offset += 4) dims.push(view.getUint32(offset, false));
  const [count, ...recordDims] = dims;
  const recordSize = recordDims.reduce((size, n) => size * n, 1);
  const shape = dims.join('x');
  if (recordSize === 0) throw new InputError(file, `IDX header declares empty records (dims ${shape})`);
  if (recordSize > MAX_RECORD_BYTES) {
    const what = recordDims.length === 2 ? `images of ${recordDims.join('x')} pixels` : `records of ${recordDims.join('x')} bytes`;
    throw new InputError(file, `IDX header declares ${what} (${recordSize} bytes each), over the limit of ${MAX_RECORD_BYTES} bytes (4096x4096)`);
  }
  if (headerSize + count * recordSize > Number.MAX_SAFE_INTEGER) {
    throw new InputError(file, `IDX header declares an impossibly large size (dims ${shape})`);
  }
  return { dtype: 'uint8', dims, count, recordSize, headerSize };
}

/** Throws unless `header` has the dimensions of MNIST images (3) or labels (1). */
export function expectIdxKind(header: IdxHeader, kind: IdxKind, file: string): void {
  const ndim = header.dims.length;
  if (ndim === NDIM_OF_KIND[kind]) return;
  const expected = kind === 'images' ? 'images: an IDX file with 3 dimensions (count x rows x cols)' : 'labels: an IDX file with 1 dimension (count)';
  throw new InputError(file, `expected ${expected}, got ${plural(ndim, 'dimension')} (${header.dims.join('x')})`);
}

/**
 * Turns the chunks of an IDX byte stream into its header and fixed-size records, holding only
 * the chunks not yet consumed. Records come out as views into the chunks; a run of records that
 * straddles a chunk boundary is copied into a fresh array.
 *
 *   push(chunk)  while the stream has data; throws on a bad header or on data beyond the declared records
 *   take(n)      n records (n ≤ available) as one contiguous array
 *   skip(n)      drops n records without copying them
 *   end()        when the stream ends; throws unless all the declared records arrived
 */
export class IdxDecoder {
  header: IdxHeader | undefined = undefined;
  readonly #file: string;
  readonly #kind: IdxKind | undefined;
  readonly #noun: string;
  /** The header's bytes gathered so far, until it is complete. */
  #head: Uint8Array = new Uint8Array(0);
  #headerSize = 4;
  /** Record bytes held, oldest first; the first chunk is consumed up to `#offset`. */
  readonly #chunks: Uint8Array[] = [];
  #offset = 0;
  #buffered = 0;
  /** Record bytes received in all, and declared by the header. */
  #received = 0;
  #declared = 0;

  constructor(file: string, kind?: IdxKind) {
    this.#file = file;
    this.#kind = kind;
    this.#noun = kind ?? 'records';
  }

  /** Complete records ready to take. */
  get available(): number {
    return this.header === undefined ? 0 : Math.floor(this.#buffered / this.header.recordSize);
  }

  push(chunk: Uint8Array): void {
    const data = this.header === undefined ? this.#pushHeader(chunk) : chunk;
    if (data.length === 0) return;
    this.#received += data.length;
    if (this.#received > this.#declared) {
      throw new InputError(this.#file, `trailing garbage after the ${this.header!.count} ${this.#noun} the header declares`);
    }
    this.#chunks.push(data);
    this.#buffered += data.length;
  }

  take(n: number): Uint8Array {
    const bytes = this.#bytesOf(n);
    if (bytes === 0) return new Uint8Array(0);
    const first = this.#chunks[0];
    if (first.length - this.#offset >= bytes) {
      const view = first.subarray(this.#offset, this.#offset + bytes);
      this.#advance(bytes);
      return view;
    }
    const records = new Uint8Array(bytes);
    for (let filled = 0; filled < bytes; ) {
      const chunk = this.#chunks[0];
      const part = Math.min(chunk.length - this.#offset, bytes - filled);
      records.set(chunk.subarray(this.#offset, this.#offset + part), filled);
      this.#advance(part);
      filled += part;
    }
    return records;
  }

  skip(n: number): void {
    for (let left = this.#bytesOf(n); left > 0; ) {
      const part = Math.min(this.#chunks[0].length - this.#offset, left);
      this.#advance(part);
      left -= part;
    }
  }

  /**
   * Moves to record `records` (counted from the first) without its bytes: the caller feeds the
   * data from there on (a file read that seeks). Drops whatever was buffered.
   */
  seek(records: number): void {
    const header = this.header;
    if (header === undefined) throw new Error('IdxDecoder: seek before the header');
    if (!Number.isInteger(records) || records < 0 || records > header.count) {
      throw new RangeError(`IdxDecoder: cannot seek to record ${records} of ${header.count}`);
    }
    this.#chunks.length = 0;
    this.#offset = 0;
    this.#buffered = 0;
    this.#received = records * header.recordSize;
  }

  end(): void {
    const header = this.header;
    if (header === undefined) {
      const got = this.#head.length;
      if (got === 0) throw new InputError(this.#file, 'empty file');
      if (got < 4) throw new InputError(this.#file, `too short for an IDX file (${plural(got, 'byte')})`);
      throw new InputError(this.#file, `truncated IDX header: ${got} of ${this.#headerSize} bytes`);
    }
    if (this.#received < this.#declared) {
      const records = Math.floor(this.#received / header.recordSize);
      const partial = this.#received % header.recordSize;
      const rest = partial === 0 ? '' : ` and ${partial} of the ${header.recordSize} bytes of the next`;
      throw new InputError(this.#file, `truncated: header declares ${header.count} ${this.#noun}, data ends after ${records}${rest}`);
    }
  }

  /** Gathers header bytes from `chunk`; returns what follows the header once it is complete. */
  #pushHeader(chunk: Uint8Array): Uint8Array {
    let used = 0;
    while (this.header === undefined && used < chunk.length) {
      const part = Math.min(this.#headerSize - this.#head.length, chunk.length - used);
      const head = new Uint8Array(this.#head.length + part);
      head.set(this.#head);
      head.set(chunk.subarray(used, used + part), this.#head.length);
      this.#head = head;
      used += part;
      if (head.length === 4) this.#headerSize = idxHeaderSize(head, this.#file);
      if (head.length === this.#headerSize) this.#setHeader(parseIdxHeader(head, this.#file));
    }
    return chunk.subarray(used);
  }

  #setHeader(header: IdxHeader): void {
    if (this.#kind !== undefined) expectIdxKind(header, this.#kind, this.#file);
    this.header = header;
    this.#declared = header.count * header.recordSize;
  }

  #bytesOf(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > this.available) {
      throw new RangeError(`IdxDecoder: asked for ${n} records, ${this.available} available`);
    }
    return n === 0 ? 0 : n * this.header!.recordSize;
  }

  #advance(bytes: number): void {
    this.#offset += bytes;
    this.#buffered -= bytes;
    if (this.#offset === this.#chunks[0].length) {
      this.#chunks.shift();
      this.#offset = 0;
    }
  }
}
