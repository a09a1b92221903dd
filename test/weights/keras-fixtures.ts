/**
 * Inputs for the Keras reader tests: the real files of formats/, `.keras` archives rebuilt in a
 * temporary folder with a changed config.json (and the real model.weights.h5), and byte patches
 * of the real HDF5 files.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { FORMATS_DIR } from '../helpers/data-dir.js';


export interface Source {
  readonly bytes: Uint8Array;
  readonly path: string;
  readonly file: string;
}

/** A file as the lead's loader hands it to a reader. */
export function sourceOf(path: string): Source {
  return { bytes: new Uint8Array(readFileSync(path)), path, file: basename(path) };
}

/** A real file of formats/ by name. */
export const real = (name: string): Source => sourceOf(join(FORMATS_DIR, name));

/** The entries of a real stored (uncompressed) zip, read by its central directory. */
export function zipEntries(path: string): Map<string, Uint8Array> {
  const bytes = readFileSync(path);
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = bytes.readUInt16LE(eocd + 10);
  let at = bytes.readUInt32LE(eocd + 16);
  const entries = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const size = bytes.readUInt32LE(at + 20);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extra = bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    const local = bytes.readUInt32LE(at + 42);
    const data = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    entries.set(name, new Uint8Array(bytes.subarray(data, data + size)));
    at += 46 + nameLength + extra;
  }
  return entries;
}

/** A stored zip of `entries`, in order. */
export function storedZip(entries: ReadonlyArray<readonly [string, Uint8Array]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, Buffer.from(data));
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const folder = mkdtempSync(join(tmpdir(), 'mnist-eval-keras-'));

/** Writes `bytes` as `name` in this run's temporary folder and returns it as a source. */
export function written(name: string, bytes: Uint8Array): Source {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return sourceOf(path);
}

type Json = Record<string, any>;

/**
 * A copy of a real `.keras` (`ch03` or `ch07`) whose config.json `edit` changes (or replaces, when
 * it returns a string), with the real metadata.json and model.weights.h5; `drop` leaves entries out.
 */
export function editedKeras(model: 'ch03' | 'ch07', edit: (config: Json) => Json | string | void, drop: readonly string[] = []): Source {
  const entries = zipEntries(join(FORMATS_DIR, `${model}.keras`));
  const config = JSON.parse(Buffer.from(entries.get('config.json')!).toString('utf8')) as Json;
  const edited = edit(config) ?? config;
  entries.set('config.json', Buffer.from(typeof edited === 'string' ? edited : JSON.stringify(edited)));
  const kept = [...entries].filter(([name]) => !drop.includes(name));
  return written(`${model}-${Math.random().toString(36).slice(2, 8)}.keras`, storedZip(kept));
}

/** The `i`-th occurrence's offset of `needle` in `bytes`. */
export function offsetOf(bytes: Uint8Array, needle: Uint8Array, from = 0): number {
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength), from);
  if (at < 0) throw new Error('needle not found');
  return at;
}

/** A copy of `source` with `patch` applied to its bytes, as a new file named `name`. */
export function patched(source: Source, name: string, patch: (bytes: Uint8Array) => Uint8Array | void): Source {
  const bytes = source.bytes.slice();
  return written(name, patch(bytes) ?? bytes);
}
