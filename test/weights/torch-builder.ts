/**
 * PyTorch files written byte by byte, for the tests of the torch readers: a state dict's pickle
 * as torch writes it (protocol 2), zips (stored or deflated) with a hand-written writer, and
 * legacy files. Each part can be replaced to make a hostile file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import type { FloatDtype, NdArray, WeightArrays } from '../../src/weights/nd-array.js';
import { loadPickleWeights } from '../../src/weights/pickle.js';
import { SAMPLE_WEIGHT, SIMPLE_CONVNET } from '../helpers/data-dir.js';
import {
  BUILD, EMPTY_DICT, MARK, NEWFALSE, NONE, PROTO2, REDUCE, SETITEM, SETITEMS, STOP, TUPLE, binint, global, pickle, u32,
} from './pickle-builder.js';

export const EMPTY_TUPLE = 0x29, BINPERSID = 0x51, EMPTY_LIST = 0x5d, APPENDS = 0x65;

/** BINUNICODE: any length, UTF-8. */
export const str = (s: string): number[] => {
  const bytes = [...Buffer.from(s, 'utf8')];
  return [0x58, ...u32(bytes.length), ...bytes];
};

const ints = (values: readonly number[]): number[] => [MARK, ...values.flatMap(binint), TUPLE];

/** The strides of a C-order tensor of `size`. */
export const cStrides = (size: readonly number[]): number[] => size.map((_, k) => size.slice(k + 1).reduce((n, d) => n * d, 1));

export interface FakeTensor {
  readonly name: string;
  readonly key: string;
  readonly numel: number;
  readonly size: readonly number[];
  /** Default 'FloatStorage'. */
  readonly type?: string;
  readonly offset?: number;
  /** Default: C order. */
  readonly stride?: readonly number[];
  /** Replaces the persistent id tuple (the bytes before BINPERSID). */
  readonly pid?: readonly number[];
  /** Replaces torch._utils._rebuild_tensor_v2. */
  readonly rebuild?: readonly [string, string];
}

/** What torch writes for one tensor: the rebuild call on its storage's persistent id. */
function tensorCall(t: FakeTensor, legacy: boolean): number[] {
  const pid = t.pid ?? [MARK, ...str('storage'), ...global('torch', t.type ?? 'FloatStorage'), ...str(t.key), ...str('cpu'), ...binint(t.numel), ...(legacy ? [NONE] : []), TUPLE];
  const [module, name] = t.rebuild ?? ['torch._utils', '_rebuild_tensor_v2'];
  return [
    ...global(module, name), MARK, ...pid, BINPERSID, ...binint(t.offset ?? 0), ...ints(t.size), ...ints(t.stride ?? cStrides(t.size)),
    NEWFALSE, ...global('collections', 'OrderedDict'), EMPTY_TUPLE, REDUCE, TUPLE, REDUCE,
  ];
}

/** The body of a state dict (OrderedDict, SETITEMS of the tensors, BUILD of `_metadata`), without PROTO and STOP. */
export function stateDictBody(tensors: readonly FakeTensor[], legacy = false): number[] {
  return [
    ...global('collections', 'OrderedDict'), EMPTY_TUPLE, REDUCE,
    MARK, ...tensors.flatMap((t) => [...str(t.name), ...tensorCall(t, legacy)]), SETITEMS,
    EMPTY_DICT, ...str('_metadata'), ...global('collections', 'OrderedDict'), EMPTY_TUPLE, REDUCE,
    MARK, ...str(''), EMPTY_DICT, ...str('version'), ...binint(1), SETITEM, SETITEMS, SETITEM, BUILD,
  ];
}

/** A state dict's whole pickle, as `torch.save(model.state_dict())` writes it. */
export const stateDictPickle = (tensors: readonly FakeTensor[], legacy = false): Uint8Array => pickle(PROTO2, stateDictBody(tensors, legacy), STOP);

/** A checkpoint: {key: state dict, 'epoch': 3}. */
export const checkpointPickle = (key: string, tensors: readonly FakeTensor[], legacy = false): Uint8Array =>
  pickle(PROTO2, EMPTY_DICT, str(key), stateDictBody(tensors, legacy), SETITEM, str('epoch'), binint(3), SETITEM, STOP);

export interface ZipItem {
  readonly name: string;
  readonly data: Uint8Array | string;
  readonly deflate?: boolean;
}

/** A zip archive: local headers, data (stored or raw deflate), central directory, end record. */
export function zipArchive(items: readonly ZipItem[]): Uint8Array {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const item of items) {
    const data = typeof item.data === 'string' ? Buffer.from(item.data, 'latin1') : Buffer.from(item.data);
    const stored = item.deflate ? deflateRawSync(data) : data;
    const name = Buffer.from(item.name, 'utf8');
    const fields = (header: Buffer, at: number) => {
      header.writeUInt16LE(20, at); // version needed
      header.writeUInt16LE(0, at + 2); // flags
      header.writeUInt16LE(item.deflate ? 8 : 0, at + 4);
      header.writeUInt32LE(0, at + 6); // time, date
      header.writeUInt32LE(crc32(data), at + 10);
      header.writeUInt32LE(stored.length, at + 14);
      header.writeUInt32LE(data.length, at + 18);
      header.writeUInt16LE(name.length, at + 22);
    };
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    fields(head, 4);
    local.push(head, name, stored);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // version made by
    fields(entry, 6);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += 30 + name.length + stored.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, directory, end]);
}

/** A torch zip: `<folder>/data.pkl`, `<folder>/data/<key>` for each storage, the version entries and `extra`. */
export function torchZip(pkl: Uint8Array, storages: Record<string, Uint8Array>, options: { folder?: string; byteorder?: string; deflate?: boolean; extra?: ZipItem[] } = {}): Uint8Array {
  const folder = options.folder ?? 'archive';
  const deflate = options.deflate ?? false;
  return zipArchive([
    { name: `${folder}/data.pkl`, data: pkl, deflate },
    { name: `${folder}/.format_version`, data: '1' },
    ...(options.byteorder === undefined ? [] : [{ name: `${folder}/byteorder`, data: options.byteorder }]),
    ...Object.entries(storages).map(([key, data]) => ({ name: `${folder}/data/${key}`, data, deflate })),
    { name: `${folder}/version`, data: '3\n' },
    ...(options.extra ?? []),
  ]);
}

/** The legacy format's magic number pickle, protocol version and sys_info. */
export const LEGACY_HEAD = pickle(
  [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e],
  PROTO2, 0x4d, 0xe9, 0x03, STOP,
  PROTO2, EMPTY_DICT, str('little_endian'), 0x88, SETITEM, STOP,
);

/** The list of storage keys, as a pickle. */
export const keysPickle = (keys: readonly string[]): Uint8Array => pickle(PROTO2, EMPTY_LIST, MARK, keys.flatMap(str), APPENDS, STOP);

/** One storage's chunk: its 8-byte little-endian element count, then its bytes. */
export function chunk(count: number, data: Uint8Array): Uint8Array {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(count % 2 ** 32, 0);
  head.writeUInt32LE(Math.floor(count / 2 ** 32), 4);
  return Buffer.concat([head, data]);
}

/** A legacy file: the head, the state dict, the keys, then the chunks as given. */
export const legacyFile = (stateDict: Uint8Array, keys: readonly string[], chunks: readonly Uint8Array[], head = LEGACY_HEAD): Uint8Array =>
  Buffer.concat([head, stateDict, keysPickle(keys), ...chunks]);

/** Values as float32 bytes. */
export function f32(values: readonly number[], littleEndian = true): Uint8Array {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => (littleEndian ? bytes.writeFloatLE(v, i * 4) : bytes.writeFloatBE(v, i * 4)));
  return bytes;
}

/** Values as float64 bytes. */
export function f64(values: readonly number[], littleEndian = true): Uint8Array {
  const bytes = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => (littleEndian ? bytes.writeDoubleLE(v, i * 8) : bytes.writeDoubleBE(v, i * 8)));
  return bytes;
}

/** 16-bit words (float16 or bfloat16 bits) as bytes. */
export function u16(words: readonly number[], littleEndian = true): Uint8Array {
  const bytes = Buffer.alloc(words.length * 2);
  words.forEach((w, i) => (littleEndian ? bytes.writeUInt16LE(w, i * 2) : bytes.writeUInt16BE(w, i * 2)));
  return bytes;
}

/** The test process's folder of files (one subfolder each, so that names repeat), removed at exit. */
let folder: string | undefined;
let count = 0;

/** Writes `bytes` to a fresh file named `name` and gives its path and source, as the lead's loader hands them. */
export function writeSource(name: string, bytes: Uint8Array): { bytes: Uint8Array; path: string; file: string } {
  if (folder === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'mnist-eval-torch-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    folder = made;
  }
  const dir = join(folder, String(count++));
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { bytes, path, file: name };
}

/** An array as plain values, to compare readers bit for bit. */
export interface Expected {
  readonly shape: readonly number[];
  readonly dtype: FloatDtype;
  readonly data: Float32Array | Float64Array;
}

/** A 2-D array transposed (torch's `Linear` stores out × in, the book in × out). */
export function transposed(a: NdArray): Expected {
  const [rows, cols] = a.shape;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[j * rows + i] = a.data[i * cols + j];
  return { shape: [cols, rows], dtype: 'float32', data };
}

/** Cast to float32, as make_formats.py casts the ch. 7 params. */
export const float32 = (a: NdArray): Expected => ({ shape: a.shape, dtype: 'float32', data: Float32Array.from(a.data) });

/**
 * The book's networks read by this project's own pickle reader, under the names each format
 * gives them: `book` (W1 …), `torch` (fc1.weight = W1ᵀ …), in the order torch's state dict lists them.
 */
export async function bookNetworks(): Promise<Record<'ch03' | 'ch07', Record<'book' | 'torch', Map<string, Expected>>>> {
  const ch03 = await loadPickleWeights(SAMPLE_WEIGHT);
  const ch07 = await loadPickleWeights(SIMPLE_CONVNET);
  const book = (arrays: WeightArrays) => new Map(['W1', 'b1', 'W2', 'b2', 'W3', 'b3'].map((key) => [key, float32(arrays.get(key)!)]));
  const torch = (arrays: WeightArrays, names: string[]) => new Map(names.map((name, i) => {
    const a = arrays.get(['W1', 'b1', 'W2', 'b2', 'W3', 'b3'][i])!;
    return [name, name.startsWith('fc') && name.endsWith('.weight') ? transposed(a) : float32(a)];
  }));
  return {
    ch03: { book: book(ch03), torch: torch(ch03, ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']) },
    ch07: { book: book(ch07), torch: torch(ch07, ['conv1.weight', 'conv1.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']) },
  };
}

/** Where two sets of arrays first differ (names, order, shape, dtype or a value's bits), or undefined. */
export function firstDifference(actual: WeightArrays, expected: ReadonlyMap<string, Expected>, sortNames = false): string | undefined {
  const names = (keys: Iterable<string>) => (sortNames ? [...keys].sort() : [...keys]).join(', ');
  if (names(actual.keys()) !== names(expected.keys())) return `names ${names(actual.keys())}, expected ${names(expected.keys())}`;
  for (const [name, want] of expected) {
    const got = actual.get(name)!;
    if (got.dtype !== want.dtype || got.shape.join() !== want.shape.join()) return `${name}: ${got.dtype} ${got.shape}, expected ${want.dtype} ${want.shape}`;
    const bytes = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    if (!bytes(got.data).equals(bytes(want.data))) {
      const i = got.data.findIndex((v, k) => !Object.is(v, want.data[k]));
      return `${name}[${i}] is ${got.data[i]}, expected ${want.data[i]}`;
    }
  }
  return undefined;
}
