/**
 * What the HDF5 reader's thread hands back: a plain copy of an HDF5 file's tree (groups, their
 * attributes, datasets with their shape and dtype, and the values of the float datasets it was
 * allowed to read), which structured cloning carries between threads. A read that failed in the
 * thread is kept where it happened, as the problem of its InputError, and raised again only when
 * a reader asks for that part: a corrupt member the Keras readers never look at stays harmless,
 * as it was when they asked jsfive directly.
 */

/** A read that failed: the problem of the InputError it threw (the file is named when it is raised again). */
export interface Hdf5Failure {
  readonly failed: string;
}

export interface Hdf5GroupEntry {
  readonly kind: 'group';
  readonly path: string;
  readonly names: readonly string[] | Hdf5Failure;
  /** Name and value of each attribute, in the file's order. */
  readonly attributes: ReadonlyArray<readonly [string, unknown]> | Hdf5Failure;
  readonly members: ReadonlyMap<string, Hdf5Entry | Hdf5Failure>;
}

/** A float dataset's values, why they were not read, or how many values the library gave instead of the shape's count. */
export type Hdf5Values = Float32Array | Float64Array | Hdf5Failure | { readonly skipped: string } | { readonly holds: string };

export interface Hdf5DatasetEntry {
  readonly kind: 'dataset';
  readonly path: string;
  /** The shape and the dtype (a numpy type string, or `compound …`), or why they could not be read. */
  readonly info: { readonly shape: readonly number[]; readonly dtype: string } | Hdf5Failure;
  /** Whether it has a filter pipeline: looked at only for float datasets that fit in the file. */
  readonly compressed?: boolean | Hdf5Failure;
  /** Read only for uncompressed float datasets that fit in the file and in the byte budget. */
  readonly values?: Hdf5Values;
}

export type Hdf5Entry = Hdf5GroupEntry | Hdf5DatasetEntry;

/** What the thread is given: the HDF5 bytes (its own copy) and what it may read. */
export interface Hdf5Job {
  readonly bytes: Uint8Array;
  readonly file: string;
  readonly what: string;
  /** The most bytes of float values it reads, in total (the weights budget). */
  readonly maxBytes: number;
  /** The groups whose float datasets it reads (all when absent): a Keras file's optimizer state is never wanted. */
  readonly dataUnder?: readonly string[];
}

/** The thread's one message: the tree, the problem that stopped the whole read, or a bug. */
export type Hdf5Reply = { readonly root: Hdf5GroupEntry } | { readonly problem: string } | { readonly crash: string };

export const FLOAT_TYPE = /^[<>=|]?f(2|4|8)$/;

export function isFailure(value: unknown): value is Hdf5Failure {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && typeof (value as Hdf5Failure).failed === 'string';
}

export function join(path: string, name: string): string {
  return path === '' ? name : `${path}/${name}`;
}
