/**
 * What a shard's report adds so that `mnist-eval merge` can rebuild a single run's report and its
 * mosaic without the dataset: the shard's place, and the pixels of its first `cap` errors in the
 * mosaic's order. The merged mosaic's `cap` tiles are the first `cap` of all errors in that order,
 * so they are among the shards' own first `cap`: each shard keeps those, and no more.
 */
import { InputError } from '../errors.js';
import type { Misclassified } from '../operators/misclassified.js';
import type { ErrorEntry } from './error-list.js';
import type { MosaicOrder } from './mosaic-order.js';
import { formatJson } from './report.js';

/** A kept tile as JSON: the error, and its rows × cols pixels in base64. */
export interface PartialTile extends ErrorEntry {
  readonly pixels: string;
}

export interface ShardPart {
  /** 0 … count-1. */
  readonly index: number;
  readonly count: number;
  /** The shard's records: [start, end) of the dataset. */
  readonly start: number;
  readonly end: number;
  /** Image shape, for the mosaic. */
  readonly rows: number;
  readonly cols: number;
  readonly mosaicCap: number;
  readonly mosaicOrder: MosaicOrder;
  /** The shard's first `mosaicCap` errors in `mosaicOrder`, with their pixels. */
  readonly tiles: PartialTile[];
}

export function encodeTiles(tiles: readonly Misclassified[]): PartialTile[] {
  return tiles.map(({ index, label, predicted, confidence, pixels }) => ({
    index,
    label,
    predicted,
    confidence,
    pixels: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('base64'),
  }));
}

export function decodeTiles(tiles: readonly PartialTile[], size: number, file: string): Misclassified[] {
  return tiles.map(({ index, label, predicted, confidence, pixels }) => {
    const bytes = new Uint8Array(Buffer.from(pixels, 'base64'));
    if (bytes.length !== size) throw new InputError(file, `tile of image ${index} holds ${bytes.length} pixels, expected ${size}`);
    return { index, label, predicted, confidence, pixels: bytes };
  });
}


/** A finite number as JSON writes it; NaN and ±Infinity as null. */
const jsonNumber = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');

/** Entries per piece: each piece is joined and encoded on its own, so no giant string is built. */
const PIECE = 2048;

/** UTF-8 bytes appended to one buffer that doubles when full. */
class ByteWriter {
  #bytes: Buffer;
  #length = 0;

  constructor(capacity: number) {
    this.#bytes = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  write(text: string): void {
    const needed = this.#length + Buffer.byteLength(text);
    if (needed > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#bytes.length * 2));
      this.#bytes.copy(grown, 0, 0, this.#length);
      this.#bytes = grown;
    }
    this.#length += this.#bytes.write(text, this.#length, 'utf8');
  }

  get bytes(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }
}

/**
 * One entry per line, indented to sit in a formatJson array at `indent`: the lines are made and
 * encoded a few thousand at a time, which keeps 65,000 errors from turning into hundreds of
 * thousands of short-lived strings at once.
 */
function writeLines<T>(out: ByteWriter, items: readonly T[], indent: string, line: (item: T) => string): void {
  if (items.length === 0) return out.write('[]');
  out.write('[\n');
  for (let from = 0; from < items.length; from += PIECE) {
    const lines: string[] = [];
    for (let i = from; i < Math.min(items.length, from + PIECE); i++) lines.push(`${indent}  ${line(items[i])}`);
    out.write(lines.join(',\n') + (from + PIECE >= items.length ? '\n' : ',\n'));
  }
  out.write(`${indent}]`);
}

const errorLine = ({ index, label, predicted, confidence }: ErrorEntry): string =>
  `{"index": ${index}, "label": ${label}, "predicted": ${predicted}, "confidence": ${jsonNumber(confidence)}}`;

const tileLine = (tile: PartialTile): string => `${errorLine(tile).slice(0, -1)}, "pixels": ${JSON.stringify(tile.pixels)}}`;

const ERRORS_MARK = '\u0000errors';
const TILES_MARK = '\u0000tiles';

/**
 * The report as formatJson writes it, except that `errors` (and a shard's `tiles`) hold one
 * entry per line: 65,000 errors make 65,000 lines, not 400,000. Returned as UTF-8 bytes.
 */
export function formatReportJson(report: { readonly errors?: readonly ErrorEntry[]; readonly shard?: ShardPart | null }): Buffer {
  const { errors, shard } = report;
  const marked = {
    ...report,
    ...(errors === undefined ? {} : { errors: ERRORS_MARK }),
    ...(shard === undefined || shard === null ? {} : { shard: { ...shard, tiles: TILES_MARK } }),
  };
  const text = formatJson(marked);
  const out = new ByteWriter(text.length + (errors?.length ?? 0) * 90 + (shard?.tiles.length ?? 0) * 1200);
  let rest = text;
  for (const [mark, write] of [
    [ERRORS_MARK, () => writeLines(out, errors ?? [], '  ', errorLine)],
    [TILES_MARK, () => writeLines(out, shard?.tiles ?? [], '    ', tileLine)],
  ] as const) {
    const at = rest.indexOf(JSON.stringify(mark));
    if (at < 0) continue;
    out.write(rest.slice(0, at));
    write();
    rest = rest.slice(at + JSON.stringify(mark).length);
  }
  out.write(rest);
  return out.bytes;
}
