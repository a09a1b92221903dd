/**
 * A safetensors file: an 8-byte little-endian header length N, N bytes of JSON header
 * (`{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {str: str}}`, offsets
 * relative to the end of the header), then the tensors' raw little-endian bytes. Checked as the
 * safetensors library itself checks it (the tensors fill the data section one after the other,
 * without overlaps or gaps, each exactly product(shape) × item size bytes), with messages that name
 * the tensor.
 */
import { InputError } from '../errors.js';
import { createByteBudget, formatShape, isShape, quote, type WeightLoadOptions } from './decode-array.js';
import type { WeightArrays } from './nd-array.js';
import { arrayDtype, decodeFloats, type FloatKind } from './torch/tensor-storage.js';
import type { WeightFile } from './weight-file.js';

/** The largest header the safetensors library reads (100 MB), and so the largest this reader parses. */
const MAX_HEADER_BYTES = 100_000_000;
const MAX_METADATA_ENTRIES = 32;
const MAX_METADATA_CHARS = 200;

interface Dtype {
  readonly itemSize: number;
  /** Float dtypes are read; integer and bool ones are checked and left out. */
  readonly float?: FloatKind;
}

const DTYPES: Readonly<Record<string, Dtype>> = {
  F64: { itemSize: 8, float: 'float64' }, F32: { itemSize: 4, float: 'float32' },
  F16: { itemSize: 2, float: 'float16' }, BF16: { itemSize: 2, float: 'bfloat16' },
  I64: { itemSize: 8 }, I32: { itemSize: 4 }, I16: { itemSize: 2 }, I8: { itemSize: 1 },
  U64: { itemSize: 8 }, U32: { itemSize: 4 }, U16: { itemSize: 2 }, U8: { itemSize: 1 }, BOOL: { itemSize: 1 },
};

interface TensorEntry {
  readonly name: string;
  readonly dtype: Dtype;
  readonly dtypeName: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** The header length the first 8 bytes declare (a double: exact up to 2^53, past any file beyond). */
function headerLength(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
}

/** True when the bytes start as a safetensors file: a plausible header length, then '{'. */
export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = headerLength(bytes);
  return n >= 2 && n <= bytes.length - 8 && n <= MAX_HEADER_BYTES && bytes[8] === 0x7b;
}

/** Reads the float tensors of a safetensors file, in the header's order. */
export async function readSafetensors(source: { readonly bytes: Uint8Array; readonly file: string }, options: WeightLoadOptions = {}): Promise<WeightFile> {
  const { bytes, file } = source;
  const header = readHeader(bytes, file);
  const dataStart = 8 + headerLength(bytes);
  const dataLength = bytes.length - dataStart;
  const metadata = readMetadata(header.__metadata__, file);
  const entries = Object.entries(header).filter(([name]) => name !== '__metadata__').map(([name, value]) => tensorEntry(name, value, dataLength, file));
  checkLayout(entries, dataLength, file);
  const budget = createByteBudget(file, options);
  const arrays: WeightArrays = new Map();
  for (const entry of entries) {
    const kind = entry.dtype.float;
    if (kind === undefined) continue;
    budget.claim(nameOf(entry.name), entry.shape, arrayDtype(kind));
    const data = bytes.subarray(dataStart + entry.begin, dataStart + entry.end);
    arrays.set(entry.name, decodeFloats(nameOf(entry.name), entry.shape, kind, data, true, file));
  }
  if (arrays.size === 0) {
    const names = entries.slice(0, 10).map((entry) => `${nameOf(entry.name)} (${entry.dtypeName})`);
    const more = entries.length > 10 ? ` … and ${entries.length - 10} more` : '';
    throw new InputError(file, `the file holds no float tensors (tensors: ${names.join(', ') || 'none'}${more})`);
  }
  return { format: 'safetensors', arrays, matrices: matricesOf(arrays), metadata };
}

/** torch names its Linear weights `<module>.weight` (out × in); anything else is taken as in × out (the book's W1). */
function matricesOf(arrays: WeightArrays): 'in-out' | 'out-in' {
  const matrices = [...arrays].filter(([, array]) => array.shape.length === 2);
  return matrices.length > 0 && matrices.every(([name]) => name.endsWith('.weight')) ? 'out-in' : 'in-out';
}

function readHeader(bytes: Uint8Array, file: string): Record<string, unknown> {
  if (bytes.length < 8) throw new InputError(file, `truncated safetensors file of ${bytes.length} bytes, expected an 8-byte header length first`);
  const n = headerLength(bytes);
  if (n > MAX_HEADER_BYTES) {
    const exact = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    throw new InputError(file, `safetensors header length ${exact} is over the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  if (n > bytes.length - 8) throw new InputError(file, `safetensors header length ${n} runs past the end of the file, which has ${bytes.length - 8} bytes after it`);
  if (n < 2) throw new InputError(file, `safetensors header length ${n} is too short for a JSON header`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new InputError(file, 'the safetensors header is not UTF-8 text');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    // V8's message quotes the text around the error, which a hostile header fills with anything.
    throw new InputError(file, 'the safetensors header is not valid JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new InputError(file, 'the safetensors header is not a JSON object');
  }
  return header as Record<string, unknown>;
}

/** `__metadata__`: string values only, as the format says; at most 32 entries of 200 characters kept. */
function readMetadata(value: unknown, file: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InputError(file, '__metadata__ is not a JSON object of strings');
  const metadata: Record<string, string> = {};
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') throw new InputError(file, `__metadata__ entry ${quote(key)} is not a string`);
    if (Object.keys(metadata).length < MAX_METADATA_ENTRIES) metadata[key.slice(0, MAX_METADATA_CHARS)] = text.slice(0, MAX_METADATA_CHARS);
  }
  return metadata;
}

const TENSOR_KEYS = new Set(['dtype', 'shape', 'data_offsets']);

function tensorEntry(key: string, value: unknown, dataLength: number, file: string): TensorEntry {
  const name = nameOf(key);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InputError(file, `tensor ${name} is not a JSON object`);
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).find((field) => !TENSOR_KEYS.has(field));
  if (unknown !== undefined) throw new InputError(file, `tensor ${name} has an unknown key ${quote(unknown)}, expected dtype, shape and data_offsets`);
  const missing = [...TENSOR_KEYS].find((field) => !(field in fields));
  if (missing !== undefined) throw new InputError(file, `tensor ${name} has no ${missing}`);
  const { dtype: dtypeName, shape, data_offsets: offsets } = fields;
  const dtype = typeof dtypeName === 'string' && Object.hasOwn(DTYPES, dtypeName) ? DTYPES[dtypeName] : undefined;
  if (dtype === undefined) {
    const shown = typeof dtypeName === 'string' ? quote(dtypeName) : JSON.stringify(dtypeName).slice(0, 40);
    throw new InputError(file, `tensor ${name} has unsupported dtype ${shown}, expected F32, F64, F16 or BF16 (integer and BOOL tensors are left out)`);
  }
  if (!isShape(shape)) throw new InputError(file, `tensor ${name} has a malformed shape, expected a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new InputError(file, `tensor ${name} has malformed data_offsets, expected [begin, end] of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new InputError(file, `tensor ${name} has data_offsets [${begin}, ${end}] that end before they begin`);
  if (end > dataLength) throw new InputError(file, `tensor ${name} has data_offsets [${begin}, ${end}] past the end of the data, which has ${dataLength} bytes`);
  // A product of doubles cannot overflow past Infinity, so a huge shape still compares as too large.
  const size = shape.reduce((n, d) => n * d, dtype.itemSize);
  if (size > dataLength) throw new InputError(file, `tensor ${name} has shape ${formatShape(shape)}, whose ${dtypeName} data would take more than the ${dataLength} bytes of data in the file`);
  if (size !== end - begin) {
    throw new InputError(file, `tensor ${name} has ${end - begin} data bytes (data_offsets [${begin}, ${end}]), expected ${size} for shape ${formatShape(shape)} ${dtypeName}`);
  }
  return { name: key, dtype, dtypeName: dtypeName as string, shape, begin, end };
}

/** The tensors fill the data section one after another, as the safetensors library requires: no overlap, no gap. */
function checkLayout(entries: readonly TensorEntry[], dataLength: number, file: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let end = 0;
  let previous: TensorEntry | undefined;
  for (const entry of sorted) {
    if (entry.begin < end && previous !== undefined) {
      throw new InputError(file, `tensors ${nameOf(previous.name)} and ${nameOf(entry.name)} overlap (data_offsets [${previous.begin}, ${previous.end}] and [${entry.begin}, ${entry.end}])`);
    }
    if (entry.begin > end) throw new InputError(file, `bytes ${end} to ${entry.begin} of the data belong to no tensor (before ${nameOf(entry.name)})`);
    end = entry.end;
    previous = entry;
  }
  if (end !== dataLength) throw new InputError(file, `bytes ${end} to ${dataLength} of the data belong to no tensor (after the last one)`);
}

/** A tensor's name as messages show it: quoted when it is not a plain name. */
function nameOf(key: string): string {
  return /^[\w.\-/:]{1,100}$/.test(key) ? key : quote(key);
}
