/**
 * The report as a JSON file: the layout of `formatJson`, except that `errors` (and a shard's
 * `tiles`) hold one entry per line, so a long error list makes one line an error rather than six.
 *
 * What a shard's report adds, so that `mnist-eval merge` can rebuild a single run's report and its
 * mosaic without the dataset, is the shard's place and the pixels of its first `cap` errors in the
 * mosaic's order. The merged mosaic's `cap` tiles are the first `cap` of all errors in that order,
 * so they are among the shards' own first `cap`: each shard keeps those, and no more. The same
 * holds for the HTML page's cells: each shard keeps the first `htmlCap` errors of each cell
 * (`cellTiles`, in dataset order), among which are the merged run's first `htmlCap` of that cell.
 */
import { InputError } from '../errors.js';
import { ByteWriter } from './byte-writer.js';
import { ErrorList } from './error-list.js';
import { jsonText } from './json.js';
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

/** Writes a field's value; `indent` is that of the line the value starts on. */
type WriteValue = (out: ByteWriter, indent: string) => void;

/**
 * The report's fields in key order, as formatJson writes them, with `errors` and `shard.tiles` one
 * entry per line. Returned as UTF-8 bytes. `errorList`, when given, is written in place of
 * `report.errors`, which is then not read at all (a run passes its ErrorList, so the report's
 * error objects need never be made).
 */
export function formatReportJson(report: { readonly errors?: readonly Prediction[]; readonly shard?: ShardPart | null }, errorList?: ErrorList): Buffer {
  const { shard } = report;
  const errors = errorList ?? report.errors ?? [];
  const out = new ByteWriter(64 * 1024 + errors.length * 90 + ((shard?.tiles?.length ?? 0) + (shard?.cellTiles?.length ?? 0)) * 1200);
  writeObject(out, '', report, {
    errors: (out, indent) => writeErrors(out, indent, errors),
    ...(shard ? { shard: shardWriter(shard) } : {}),
  });
  out.ascii('\n');
  return out.bytes;
}

/** A shard's part: its fields in order, its tiles one a line (at the end, if the part has no `tiles` key). */
const shardWriter = (shard: ShardPart): WriteValue => (out, indent) =>
  writeObject(out, indent, { ...shard, tiles: shard.tiles }, {
    tiles: (out, indent) => writeTiles(out, indent, shard.tiles ?? []),
    ...(shard.cellTiles === undefined ? {} : { cellTiles: (out: ByteWriter, indent: string) => writeTiles(out, indent, shard.cellTiles ?? []) }),
  });

/**
 * `object` as formatJson lays it out at `indent`: its own keys in order, each value in the house
 * layout, except the keys that `custom` writes itself (their values are not read here). Keys whose
 * values JSON leaves out (undefined) are left out.
 */
function writeObject(out: ByteWriter, indent: string, object: object, custom: Readonly<Record<string, WriteValue>>): void {
  const inner = `${indent}  `;
  const fields: Array<[key: string, write: WriteValue]> = [];
  for (const key of Object.keys(object)) {
    if (Object.hasOwn(custom, key)) {
      fields.push([key, custom[key]]);
      continue;
    }
    const text = jsonText((object as Record<string, unknown>)[key], inner);
    if (text !== undefined) fields.push([key, (out) => out.text(text)]);
  }
  if (fields.length === 0) return out.ascii('{}');
  out.ascii('{\n');
  fields.forEach(([key, write], i) => {
    out.text(`${inner}${JSON.stringify(key)}: `);
    write(out, inner);
    out.ascii(i === fields.length - 1 ? '\n' : ',\n');
  });
  out.ascii(`${indent}}`);
}

/** Starts entry `i` of an array written one entry per line at `indent` + 2. */
const openLine = (out: ByteWriter, indent: string, i: number): void => out.ascii(i === 0 ? `[\n${indent}  ` : `,\n${indent}  `);

/** Ends an array of `count` entries written with openLine. */
const closeLines = (out: ByteWriter, indent: string, count: number): void => out.ascii(count === 0 ? '[]' : `\n${indent}]`);

function writeErrors(out: ByteWriter, indent: string, errors: ErrorList | readonly Prediction[]): void {
  const line = (index: number, label: number, predicted: number, confidence: number, i: number): void => {
    openLine(out, indent, i);
    writePrediction(out, index, label, predicted, confidence);
    out.ascii('}');
  };
  if (errors instanceof ErrorList) errors.forEachError(line);
  else errors.forEach(({ index, label, predicted, confidence }, i) => line(index, label, predicted, confidence, i));
  closeLines(out, indent, errors.length);
}

function writeTiles(out: ByteWriter, indent: string, tiles: readonly PartialTile[]): void {
  tiles.forEach(({ index, label, predicted, confidence, pixels }, i) => {
    openLine(out, indent, i);
    writePrediction(out, index, label, predicted, confidence);
    out.ascii(', "pixels": ');
    out.ascii(JSON.stringify(pixels));
    out.ascii('}');
  });
  closeLines(out, indent, tiles.length);
}

/** `{"index": …, "label": …, "predicted": …, "confidence": …`, without the closing brace. */
function writePrediction(out: ByteWriter, index: number, label: number, predicted: number, confidence: number): void {
  out.ascii('{"index": ');
  out.integer(index);
  out.ascii(', "label": ');
  out.integer(label);
  out.ascii(', "predicted": ');
  out.integer(predicted);
  out.ascii(', "confidence": ');
  // A finite number as JSON writes it; NaN and ±Infinity as null.
  out.ascii(Number.isFinite(confidence) ? String(confidence) : 'null');
}
