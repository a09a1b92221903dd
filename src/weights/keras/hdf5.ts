/**
 * The one door to HDF5 for the Keras readers: an HDF5 file held in memory, seen as groups,
 * datasets and attributes, and float datasets read into NdArrays. The file is read by jsfive in a
 * thread of its own, bounded in time and memory (hdf5-thread.ts), which hands back a plain tree
 * (hdf5-snapshot.ts); this module shows that tree through the interface the readers use, raising
 * each failure of the walk as an InputError naming the file when a reader reaches it. A float
 * dataset's declared size is checked against the file's size and the byte budget before its
 * values are handed over, and compressed datasets are refused.
 */
import { InputError } from '../../errors.js';
import { DEFAULT_MAX_BYTES, formatShape, quote, type ByteBudget } from '../decode-array.js';
import type { NdArray } from '../nd-array.js';
import { FLOAT_TYPE, isFailure, join, type Hdf5DatasetEntry, type Hdf5Failure, type Hdf5GroupEntry } from './hdf5-snapshot.js';
import { readHdf5Tree, type Hdf5ThreadLimits } from './hdf5-thread.js';

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

export interface Hdf5Options extends Hdf5ThreadLimits {
  /** The weights budget in bytes: the thread reads no more float values than this. Default 2 GiB. */
  readonly maxBytes?: number;
  /** The groups whose float datasets are read (all when absent), e.g. `layers`, not `optimizer`. */
  readonly dataUnder?: readonly string[];
}

/**
 * Opens the HDF5 bytes of `file`; `what` says which HDF5 it is in messages (the file itself, or a
 * `.keras` archive's `model.weights.h5`).
 */
export async function openHdf5(bytes: Uint8Array, file: string, what = 'HDF5 file', options: Hdf5Options = {}): Promise<Hdf5File> {
  if (!isHdf5(bytes)) throw new InputError(file, `${what} does not start with the HDF5 signature \\x89HDF\\r\\n\\x1a\\n`);
  const { maxBytes = DEFAULT_MAX_BYTES, dataUnder, ...limits } = options;
  const tree = await readHdf5Tree({ bytes, file, what, maxBytes, ...(dataUnder && { dataUnder }) }, limits);
  return viewHdf5(tree, bytes.byteLength, file, what);
}

function viewHdf5(tree: Hdf5GroupEntry, fileBytes: number, file: string, what: string): Hdf5File {
  const ok = <T>(value: T | Hdf5Failure): T => {
    if (isFailure(value)) throw new InputError(file, value.failed);
    return value;
  };
  const datasets = new WeakMap<Hdf5Dataset, Hdf5DatasetEntry>();
  const handedOver = new WeakSet<Hdf5DatasetEntry>();

  const viewGroup = (entry: Hdf5GroupEntry): Hdf5Group => {
    const member = (name: string) => (ok(entry.names).includes(name) ? ok(entry.members.get(name) ?? { failed: `${what} is corrupt: ${quote(join(entry.path, name))} was not read` }) : undefined);
    return {
      path: entry.path,
      names: () => [...ok(entry.names)],
      group: (name) => {
        const found = member(name);
        return found?.kind === 'group' ? viewGroup(found) : undefined;
      },
      dataset: (name) => {
        const found = member(name);
        if (found?.kind !== 'dataset') return undefined;
        const { shape, dtype } = ok(found.info);
        const view = { path: found.path, shape: [...shape], dtype };
        datasets.set(view, found);
        return view;
      },
      attribute: (name) => ok(entry.attributes).find(([key]) => key === name)?.[1],
      attributeNames: () => ok(entry.attributes).map(([key]) => key),
    };
  };

  const readFloat = (dataset: Hdf5Dataset, name: string, budget: ByteBudget): NdArray => {
    const found = datasets.get(dataset);
    if (found === undefined) throw new TypeError('readFloat takes a dataset of this file');
    const type = FLOAT_TYPE.exec(dataset.dtype);
    if (type === null) {
      throw new InputError(file, `${name} has unsupported dtype ${quote(dataset.dtype)}, expected float16, float32 or float64`);
    }
    const itemSize = Number(type[1]);
    const size = dataset.shape.reduce((n, d) => n * d, 1);
    if (size * itemSize > fileBytes) {
      throw new InputError(file, `${name} declares ${size * itemSize} bytes (shape ${formatShape(dataset.shape)}), more than the ${fileBytes} bytes of the ${what}`);
    }
    if (ok(found.compressed ?? false)) {
      throw new InputError(file, `${name} is compressed (an HDF5 filter pipeline), which this reader does not inflate; save it uncompressed`);
    }
    const dtype = itemSize === 8 ? 'float64' : 'float32';
    budget.claim(name, dataset.shape, dtype);
    const values = ok(found.values ?? { skipped: `${what} is corrupt: ${quote(found.path)} was not read` });
    if ('skipped' in values) throw new InputError(file, values.skipped);
    if ('holds' in values) {
      throw new InputError(file, `${what} is corrupt: ${name} holds ${values.holds} values, expected ${size} for shape ${formatShape(dataset.shape)}`);
    }
    checkFinite(values, dataset.shape, name, file);
    // The thread's array is handed over once; a second read of the same dataset gets its own copy.
    const data = handedOver.has(found) ? values.slice() : values;
    handedOver.add(found);
    return { shape: [...dataset.shape], dtype, data };
  };

  return { root: viewGroup(tree), readFloat };
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
