/**
 * The one door to the HDF5 library (jsfive, pure JavaScript): an HDF5 file held in memory, seen
 * as groups, datasets and attributes, and float datasets read into NdArrays. Every call into the
 * library goes through `guard`, so whatever a corrupt file makes it throw (strings, TypeErrors,
 * RangeErrors past the end of the buffer) is one InputError naming the file and the object being
 * read. A dataset's declared size is checked against the file's size and the byte budget before
 * its values are read, and compressed datasets are refused (Keras writes none, and an inflated
 * chunk is not bounded by the library).
 */
import * as jsfive from 'jsfive';
import { InputError } from '../../errors.js';
import { formatShape, isShape, quote, type ByteBudget } from '../decode-array.js';
import type { NdArray } from '../nd-array.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` start with the HDF5 signature `\x89HDF\r\n\x1a\n`. */
export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= SIGNATURE.length && SIGNATURE.every((byte, i) => bytes[i] === byte);
}

export interface Hdf5Dataset {
  readonly path: string;
  readonly shape: readonly number[];
  /** The stored type as a numpy type string (`<f4`), or a description of a compound type. */
  readonly dtype: string;
}

export interface Hdf5Group {
  /** The group's path from the root, without a leading slash ('' for the root). */
  readonly path: string;
  /** The names of its members (groups and datasets), in the file's order. */
  names(): string[];
  group(name: string): Hdf5Group | undefined;
  dataset(name: string): Hdf5Dataset | undefined;
  /** An attribute's value as the library decodes it (a string, a number, an array), or undefined. */
  attribute(name: string): unknown;
  attributeNames(): string[];
}

export interface Hdf5File {
  readonly root: Hdf5Group;
  /** The values of a float16/32/64 dataset as a C-order NdArray (float16 widened to float32), `name` naming it in errors. */
  readFloat(dataset: Hdf5Dataset, name: string, budget: ByteBudget): NdArray;
}

interface Node {
  readonly group?: jsfive.Group;
  readonly dataset?: jsfive.Dataset;
}

const FLOAT_TYPE = /^[<>=|]?f(2|4|8)$/;

/**
 * Opens the HDF5 bytes of `file`; `what` says which HDF5 it is in messages (the file itself, or a
 * `.keras` archive's `model.weights.h5`).
 */
export function openHdf5(bytes: Uint8Array, file: string, what = 'HDF5 file'): Hdf5File {
  const guard = <T>(at: string, read: () => T): T => guardRead(file, what, at, read);
  if (!isHdf5(bytes)) throw new InputError(file, `${what} does not start with the HDF5 signature \\x89HDF\\r\\n\\x1a\\n`);
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  const root = guard('the superblock', () => new jsfive.File(buffer as ArrayBuffer, file));
  const datasets = new WeakMap<Hdf5Dataset, jsfive.Dataset>();

  const member = (parent: jsfive.Group, path: string, name: string): Node => {
    if (!guard(path || '/', () => parent.keys).includes(name)) return {};
    const child = guard(join(path, name), () => parent.get(name));
    return child instanceof jsfive.Group ? { group: child } : { dataset: child };
  };
  const wrapGroup = (group: jsfive.Group, path: string): Hdf5Group => ({
    path,
    names: () => guard(path || '/', () => group.keys),
    group: (name) => {
      const found = member(group, path, name).group;
      return found && wrapGroup(found, join(path, name));
    },
    dataset: (name) => {
      const found = member(group, path, name).dataset;
      if (found === undefined) return undefined;
      const at = join(path, name);
      const shape = guard(at, () => found.shape);
      if (!isShape(shape)) throw new InputError(file, `${what} is corrupt: dataset ${quote(at)} has no valid shape`);
      const dtype = guard(at, () => found.dtype);
      const wrapped = { path: at, shape: [...shape], dtype: typeof dtype === 'string' ? dtype : `compound ${describe(dtype)}` };
      datasets.set(wrapped, found);
      return wrapped;
    },
    attribute: (name) => guard(`the attributes of ${path || '/'}`, () => {
      const attrs = group.attrs;
      return Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name] : undefined;
    }),
    attributeNames: () => guard(`the attributes of ${path || '/'}`, () => Object.keys(group.attrs)),
  });

  const readFloat = (dataset: Hdf5Dataset, name: string, budget: ByteBudget): NdArray => {
    const found = datasets.get(dataset);
    if (found === undefined) throw new TypeError('readFloat takes a dataset of this file');
    const type = FLOAT_TYPE.exec(dataset.dtype);
    if (type === null) {
      throw new InputError(file, `${name} has unsupported dtype ${quote(dataset.dtype)}, expected float16, float32 or float64`);
    }
    const itemSize = Number(type[1]);
    const size = dataset.shape.reduce((n, d) => n * d, 1);
    if (size * itemSize > bytes.byteLength) {
      throw new InputError(file, `${name} declares ${size * itemSize} bytes (shape ${formatShape(dataset.shape)}), more than the ${bytes.byteLength} bytes of the ${what}`);
    }
    if (guard(dataset.path, () => found._dataobjects.filter_pipeline) != null) {
      throw new InputError(file, `${name} is compressed (an HDF5 filter pipeline), which this reader does not inflate; save it uncompressed`);
    }
    const dtype = itemSize === 8 ? 'float64' : 'float32';
    budget.claim(name, dataset.shape, dtype);
    const values = guard(dataset.path, () => found.value);
    if (values === null || typeof values !== 'object' || values.length !== size) {
      throw new InputError(file, `${what} is corrupt: ${name} holds ${describe(values)} values, expected ${size} for shape ${formatShape(dataset.shape)}`);
    }
    const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
    checkFinite(data, dataset.shape, name, file);
    return { shape: [...dataset.shape], dtype, data };
  };

  return { root: wrapGroup(root, ''), readFloat };
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
    if (error instanceof InputError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(file, `${what} is corrupt or truncated (reading ${quote(at)}): ${message}`);
  } finally {
    console.warn = warn;
  }
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}/${name}`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `${value.length}`;
  return value === null ? 'null' : typeof value;
}

function checkFinite(data: Float32Array | Float64Array, shape: readonly number[], name: string, file: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const index: number[] = [];
      for (let k = shape.length - 1, rest = i; k >= 0; k--) {
        index.unshift(rest % shape[k]);
        rest = Math.floor(rest / shape[k]);
      }
      throw new InputError(file, `${name} contains ${data[i]} at [${index.join(', ')}]`);
    }
  }
}
