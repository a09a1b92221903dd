/**
 * The walk over an HDF5 file that the reader's thread makes with jsfive: every group, attribute
 * and dataset header, and the values of the float datasets wanted, into a plain
 * {@link Hdf5GroupEntry}. Every call into the library goes through `guard`, so whatever a corrupt
 * file makes it throw (strings, TypeErrors, RangeErrors past the end of the buffer) becomes an
 * InputError naming the object being read. A dataset's declared size is checked against the
 * file's size and the bytes left in the budget before its values are read, and compressed
 * datasets are not inflated (Keras writes none, and an inflated chunk is not bounded by the
 * library). The walk itself is bounded: a hard link back to a group above it is a cycle, and the
 * tree holds at most MAX_OBJECTS members, MAX_DEPTH groups deep. What jsfive does inside one
 * object (its B-trees keep no record of visited nodes) is bounded by the thread's heap limit and
 * deadline, not here.
 */
import * as jsfive from 'jsfive';
import { InputError } from '../../errors.js';
import { isShape, quote } from '../decode-array.js';
import { FLOAT_TYPE, isFailure, join, type Hdf5DatasetEntry, type Hdf5Failure, type Hdf5GroupEntry, type Hdf5Job, type Hdf5Values } from './hdf5-snapshot.js';

/** Far more than a Keras file holds (a few objects per layer), few enough to walk in a moment. */
export const MAX_OBJECTS = 100_000;
/** A legacy Keras file nests model_weights/<layer>/<model>/<layer>/<var>: 5 deep. */
export const MAX_DEPTH = 32;
/** Attribute values are arrays of strings or numbers; deeper nesting is not kept. */
const MAX_VALUE_DEPTH = 8;

/** The one failure that stops the whole walk (a limit of the tree), not only the member it is met in. */
class WalkLimit extends Error {}

/** The walk's bounds on the tree (the thread uses the defaults; tests pass small ones). */
export interface WalkCaps {
  readonly maxObjects: number;
  readonly maxDepth: number;
}

export function walkHdf5(job: Hdf5Job, caps: WalkCaps = { maxObjects: MAX_OBJECTS, maxDepth: MAX_DEPTH }): Hdf5GroupEntry {
  const { bytes, file, what, maxBytes, dataUnder } = job;
  const { maxObjects, maxDepth } = caps;
  const guard = <T>(at: string, read: () => T): T => guardRead(file, what, at, read);
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : new Uint8Array(bytes).buffer;
  const root = guard('the superblock', () => new jsfive.File(buffer as ArrayBuffer, file));
  const wanted = (at: string) => dataUnder === undefined || dataUnder.some((group) => at === group || at.startsWith(`${group}/`));
  let objects = 0;
  let valueBytes = 0;

  const walkGroup = (group: jsfive.Group, path: string, ancestors: readonly number[]): Hdf5GroupEntry => {
    const where = path || '/';
    const names = attempt(() => guard(where, () => group.keys));
    const attributes = attempt(() => guard(`the attributes of ${where}`, () => Object.entries(group.attrs).map(([name, value]) => [name, plain(value, 0)] as const)));
    const members = new Map<string, Hdf5GroupEntry | Hdf5DatasetEntry | Hdf5Failure>();
    for (const name of Array.isArray(names) ? names : []) {
      if (++objects > maxObjects) throw new WalkLimit(`${what} holds more than ${maxObjects} groups and datasets`);
      members.set(name, attempt(() => walkMember(group, path, name, ancestors)));
    }
    return { kind: 'group', path, names, attributes, members };
  };

  const walkMember = (parent: jsfive.Group, path: string, name: string, ancestors: readonly number[]): Hdf5GroupEntry | Hdf5DatasetEntry | Hdf5Failure => {
    const at = join(path, name);
    const link = parent._links[name];
    if (typeof link === 'number' && ancestors.includes(link)) return { failed: `${what} is corrupt: group ${quote(at)} is a link back to a group that holds it (a cycle)` };
    const child = guard(at, () => parent.get(name));
    if (!(child instanceof jsfive.Group)) return walkDataset(child, at);
    if (ancestors.length > maxDepth) return { failed: `${what} nests groups more than ${maxDepth} deep (at ${quote(at)})` };
    // A soft link (a path) adds a level with no address to compare: -1 is none.
    return walkGroup(child, at, [...ancestors, typeof link === 'number' ? link : -1]);
  };

  const walkDataset = (found: jsfive.Dataset, at: string): Hdf5DatasetEntry => {
    const info = attempt(() => {
      const shape = guard(at, () => found.shape);
      if (!isShape(shape)) throw new InputError(file, `${what} is corrupt: dataset ${quote(at)} has no valid shape`);
      const dtype = guard(at, () => found.dtype);
      return { shape: [...shape], dtype: typeof dtype === 'string' ? dtype : `compound ${describe(dtype)}` };
    });
    if (!('shape' in info)) return { kind: 'dataset', path: at, info };
    const type = FLOAT_TYPE.exec(info.dtype);
    const size = info.shape.reduce((n, d) => n * d, 1);
    if (type === null || size * Number(type[1]) > bytes.byteLength) return { kind: 'dataset', path: at, info };
    const compressed = attempt(() => guard(at, () => found._dataobjects.filter_pipeline) != null);
    if (compressed !== false) return { kind: 'dataset', path: at, info, compressed };
    return { kind: 'dataset', path: at, info, compressed, values: readValues(found, at, size, Number(type[1]) === 8 ? 8 : 4) };
  };

  const readValues = (found: jsfive.Dataset, at: string, size: number, itemSize: 4 | 8): Hdf5Values => {
    if (!wanted(at)) return { skipped: `${what} keeps ${quote(at)} outside the groups of weights (${(dataUnder ?? []).map(quote).join(', ')})` };
    // Claimed before reading, as the caller's budget is: what is left unread here is refused there.
    if (valueBytes + size * itemSize > maxBytes) return { skipped: `${what}'s float datasets take more than the limit of ${maxBytes} bytes together, and ${quote(at)} was left unread` };
    valueBytes += size * itemSize;
    const values = attempt(() => guard(at, () => found.value));
    if (isFailure(values)) return values;
    if (values === null || typeof values !== 'object' || values.length !== size) return { holds: describe(values) };
    return itemSize === 8 ? Float64Array.from(values) : Float32Array.from(values);
  };

  try {
    return walkGroup(root, '', [root._dataobjects.offset]);
  } catch (error) {
    if (error instanceof WalkLimit) throw new InputError(file, error.message);
    throw error;
  }
}

/** `read()`, or the problem of the InputError it threw (anything else is a bug, thrown on). */
function attempt<T>(read: () => T): T | Hdf5Failure {
  try {
    return read();
  } catch (error) {
    if (error instanceof InputError) return { failed: error.problem };
    throw error;
  }
}

/**
 * Runs one read of the library. jsfive is synchronous, so silencing its console.warn (it prints
 * attribute names of types it does not know, bytes of a corrupt file included) for the length of
 * the call touches nothing else.
 */
function guardRead<T>(file: string, what: string, at: string, read: () => T): T {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return read();
  } catch (error) {
    if (error instanceof InputError || error instanceof WalkLimit) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(file, `${what} is corrupt or truncated (reading ${quote(at)}): ${message}`);
  } finally {
    console.warn = warn;
  }
}

/** An attribute's value as structured cloning carries it: jsfive gives primitives, arrays and typed arrays. */
function plain(value: unknown, depth: number): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (depth >= MAX_VALUE_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item, depth + 1)]));
}

export function describe(value: unknown): string {
  if (Array.isArray(value)) return `${value.length}`;
  return value === null ? 'null' : typeof value;
}
