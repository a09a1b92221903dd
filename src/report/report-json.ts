/**
 * What a shard's report adds so that `mnist-eval merge` can rebuild a single run's report and its
 * mosaic without the dataset: the shard's place, and the pixels of its first `cap` errors in the
 * mosaic's order. The merged mosaic's `cap` tiles are the first `cap` of all errors in that order,
 * so they are among the shards' own first `cap`: each shard keeps those, and no more.
 */
import { InputError } from '../errors.js';
import type { ErrorList } from './error-list.js';
import { formatJson } from './summary.js';
import type { Misclassified, PartialTile, Prediction, ShardPart } from '../types.js';

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

/**
 * Bytes appended to one buffer that doubles when full. Numbers and ASCII go in without making a
 * string each, so 65,000 errors become 5 MB of JSON with little garbage on the way.
 */
class ByteWriter {
  #bytes: Buffer;
  #length = 0;

  constructor(capacity: number) {
    this.#bytes = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  #room(bytes: number): void {
    if (this.#length + bytes <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#length + bytes, this.#bytes.length * 2));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }

  /** Any text, as UTF-8. */
  text(text: string): void {
    this.#room(Buffer.byteLength(text));
    this.#length += this.#bytes.write(text, this.#length, 'utf8');
  }

  /** Text known to be ASCII (one byte a character). */
  ascii(text: string): void {
    this.#room(text.length);
    this.#length += this.#bytes.write(text, this.#length, 'latin1');
  }

  /** A non-negative integer below 2^53, in decimal. */
  integer(n: number): void {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    this.#room(digits);
    for (let i = digits - 1, x = n; i >= 0; i--, x = Math.floor(x / 10)) this.#bytes[this.#length + i] = 0x30 + (x % 10);
    this.#length += digits;
  }

  get bytes(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }
}

/** An error's fields, written as `{"index": …, "label": …, "predicted": …, "confidence": …` (no closing brace). */
function writeError(out: ByteWriter, { index, label, predicted, confidence }: Prediction): void {
  writeErrorFields(out, index, label, predicted, confidence);
}

function writeErrorFields(out: ByteWriter, index: number, label: number, predicted: number, confidence: number): void {
  out.ascii('{"index": ');
  out.integer(index);
  out.ascii(', "label": ');
  out.integer(label);
  out.ascii(', "predicted": ');
  out.integer(predicted);
  out.ascii(', "confidence": ');
  out.ascii(jsonNumber(confidence));
}

/** One entry per line, indented to sit in a formatJson array at `indent`. */
function writeLines<T>(out: ByteWriter, items: readonly T[], indent: string, write: (item: T) => void): void {
  if (items.length === 0) return out.ascii('[]');
  out.ascii('[\n');
  for (let i = 0; i < items.length; i++) {
    out.ascii(indent);
    out.ascii('  ');
    write(items[i]);
    out.ascii(i === items.length - 1 ? '}\n' : '},\n');
  }
  out.ascii(`${indent}]`);
}



const ERRORS_MARK = '\u0000errors';
const TILES_MARK = '\u0000tiles';

/**
 * The report as formatJson writes it, except that `errors` (and a shard's `tiles`) hold one
 * entry per line: 65,000 errors make 65,000 lines, not 400,000. Returned as UTF-8 bytes.
 * `errorList`, when given, is written in place of `report.errors`, which is then not read at all
 * (a run passes its ErrorList, so the report's error objects need never be made).
 */
export function formatReportJson(report: { readonly errors?: readonly Prediction[]; readonly shard?: ShardPart | null }, errorList?: ErrorList): Buffer {
  const { shard } = report;
  const marked: Record<string, unknown> = {};
  for (const key of Object.keys(report)) {
    if (key === 'errors') marked.errors = ERRORS_MARK;
    else if (key === 'shard' && shard) marked.shard = { ...shard, tiles: TILES_MARK };
    else marked[key] = (report as Record<string, unknown>)[key];
  }
  const errorCount = errorList?.length ?? (marked.errors === undefined ? 0 : report.errors!.length);
  const text = formatJson(marked);
  const out = new ByteWriter(text.length + errorCount * 90 + (shard?.tiles.length ?? 0) * 1200);
  let rest = text;
  for (const [mark, write] of [
    [ERRORS_MARK, () => (errorList === undefined ? writeLines(out, report.errors ?? [], '  ', (error) => writeError(out, error)) : writeErrorList(out, errorList, '  '))],
    [TILES_MARK, () => writeLines(out, shard?.tiles ?? [], '    ', (tile) => {
      writeError(out, tile);
      out.ascii(', "pixels": ');
      out.ascii(JSON.stringify(tile.pixels));
    })],
  ] as const) {
    const at = rest.indexOf(JSON.stringify(mark));
    if (at < 0) continue;
    out.text(rest.slice(0, at));
    write();
    rest = rest.slice(at + JSON.stringify(mark).length);
  }
  out.text(rest);
  return out.bytes;
}

/** As writeLines over the entries of `list`, read from its columns. */
function writeErrorList(out: ByteWriter, list: ErrorList, indent: string): void {
  if (list.length === 0) return out.ascii('[]');
  out.ascii('[\n');
  list.forEachError((index, label, predicted, confidence, i) => {
    out.ascii(indent);
    out.ascii('  ');
    writeErrorFields(out, index, label, predicted, confidence);
    out.ascii(i === list.length - 1 ? '}\n' : '},\n');
  });
  out.ascii(`${indent}]`);
}
