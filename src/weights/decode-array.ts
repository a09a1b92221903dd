import { endianness } from 'node:os';
import { InputError } from '../errors.js';
import type { FloatDtype, NdArray } from './nd-array.js';

/** Options shared by the weight loaders. */
export interface WeightLoadOptions {
  /**
   * The most bytes a weight file may hold, and apart from that the most bytes reading it may make:
   * its arrays (checked against the declared shapes before anything is allocated) and, for a
   * pickle, every string and bytes object unpickling builds. Default {@link DEFAULT_MAX_BYTES} (2 GiB).
   */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
/** The largest limit a caller may set (1 TiB): more than any machine holds, so a larger one would be no limit at all. */
export const MAX_LIMIT_BYTES = 2 ** 40;

const NATIVE_LITTLE_ENDIAN = endianness() === 'LE';

/** A float dtype resolved from a numpy type string, with the byte order of its data. */
export interface FloatType {
  readonly dtype: FloatDtype;
  readonly littleEndian: boolean;
}

/** Names of the numpy type codes a weight file may hold by mistake, for error messages. */
const NUMPY_TYPE_NAMES: Readonly<Record<string, string>> = {
  b1: 'bool', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64',
  f2: 'float16', f4: 'float32', f8: 'float64', f12: 'float96', f16: 'float128',
  c8: 'complex64', c16: 'complex128', c32: 'complex256', O: 'object', O8: 'object',
};

/**
 * Resolves a numpy type string such as `<f4`, `>f8`, `=f4` or `f8` (byte order given apart, as in a
 * pickled dtype). `=` and `|` mean the native order, as numpy reads them. Anything but float32 and
 * float64 is refused, named the way numpy names it.
 */
export function floatType(typeString: string, file: string, name: string): FloatType {
  const match = /^([<>=|]?)([a-zA-Z])(\d*)$/.exec(typeString);
  const order = match?.[1] ?? '';
  const code = match ? `${match[2]}${match[3]}` : typeString;
  if (match && (code === 'f4' || code === 'f8')) {
    const littleEndian = order === '<' || (order !== '>' && NATIVE_LITTLE_ENDIAN);
    return { dtype: code === 'f4' ? 'float32' : 'float64', littleEndian };
  }
  const known = NUMPY_TYPE_NAMES[code];
  const described = known ? `${known} (${quote(typeString)})` : quote(typeString);
  throw new InputError(file, `${name} has unsupported dtype ${described}, expected float32 or float64`);
}

export function itemSize(dtype: FloatDtype): number {
  return dtype === 'float32' ? 4 : 8;
}

/** A shape as Python prints it: `(784, 50)`, `(10,)`, `()`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Checks that a parsed value is a shape: a list of non-negative safe integers. */
export function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/**
 * One file's allowance of memory, `maxBytes`: every byte that reading it makes counts against it,
 * the arrays' data (claimed from their declared shapes before it is allocated or decoded) and,
 * for a pickle, every string and bytes object it builds, each copy counted again. The file's own
 * bytes are held to the same limit apart, as they are read.
 */
export interface ByteBudget {
  /** Claims an array's declared bytes; refuses the array that takes the total over the limit. */
  claim(name: string, shape: readonly number[], dtype: FloatDtype): number;
  /** Charges `bytes` about to be allocated (`at`: where in the file); refuses going over the limit. */
  charge(bytes: number, at: number): void;
}

export function createByteBudget(file: string, options: WeightLoadOptions = {}): ByteBudget {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let arrays = 0;
  let other = 0;
  return {
    claim: (name, shape, dtype) => {
      // A product of doubles cannot overflow past Infinity, so huge shapes compare correctly.
      const bytes = shape.reduce((n, d) => n * d, itemSize(dtype));
      if (bytes > maxBytes) {
        throw new InputError(file, `${name} declares ${bytes} bytes (shape ${formatShape(shape)}, ${dtype}), over the limit of ${maxBytes} bytes`);
      }
      if (arrays + bytes > maxBytes) {
        throw new InputError(file, `${name} takes the arrays to ${arrays + bytes} bytes, over the limit of ${maxBytes} bytes`);
      }
      if (arrays + other + bytes > maxBytes) {
        throw new InputError(file, `${name} takes the arrays to ${arrays + bytes} bytes, over the limit of ${maxBytes} bytes with the ${other} bytes of strings and bytes the pickle made`);
      }
      arrays += bytes;
      return bytes;
    },
    charge: (bytes, at) => {
      if (arrays + other + bytes > maxBytes) {
        throw new InputError(file, `unpickling takes more than the limit of ${maxBytes} bytes (strings, bytes and arrays made by byte ${at})`);
      }
      other += bytes;
    },
  };
}

/** Raw array data as a file stores it, before decoding. */
export interface RawArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: FloatType;
  readonly fortranOrder: boolean;
  readonly bytes: Uint8Array;
}

/**
 * Turns raw bytes into a C-order NdArray: checks the byte count, byte-swaps big-endian data,
 * transposes Fortran order once and refuses NaN and infinities. Aligned native-order data stays a
 * view on `raw.bytes` (no copy); unaligned data, as in a slice of Node's Buffer pool, is copied.
 */
export function decodeArray(raw: RawArray, file: string): NdArray {
  const { name, shape, type: { dtype, littleEndian } } = raw;
  const size = shape.reduce((n, d) => n * d, 1);
  const expected = size * itemSize(dtype);
  if (raw.bytes.byteLength !== expected) {
    throw new InputError(file, `${name} has ${raw.bytes.byteLength} data bytes, expected ${expected} for shape ${formatShape(shape)} ${dtype}`);
  }
  const stored = readValues(raw.bytes, dtype, littleEndian, size);
  const data = raw.fortranOrder && shape.length > 1 ? fortranToC(stored, shape) : stored;
  checkFinite(name, shape, data, file);
  return { shape: [...shape], dtype, data };
}

function readValues(bytes: Uint8Array, dtype: FloatDtype, littleEndian: boolean, size: number): Float32Array | Float64Array {
  if (littleEndian === NATIVE_LITTLE_ENDIAN && bytes.byteOffset % itemSize(dtype) === 0) {
    return dtype === 'float32'
      ? new Float32Array(bytes.buffer, bytes.byteOffset, size)
      : new Float64Array(bytes.buffer, bytes.byteOffset, size);
  }
  const values = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  if (littleEndian === NATIVE_LITTLE_ENDIAN) {
    new Uint8Array(values.buffer).set(bytes); // unaligned, as in a slice of Node's Buffer pool
    return values;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'float32') {
    for (let i = 0; i < size; i++) values[i] = view.getFloat32(i * 4, littleEndian);
  } else {
    for (let i = 0; i < size; i++) values[i] = view.getFloat64(i * 8, littleEndian);
  }
  return values;
}

/**
 * Copies column-major (Fortran) data into row-major (C) order. Walks the C index like an odometer
 * and keeps the matching Fortran offset, whose stride on axis k is the product of the axes before k.
 */
function fortranToC<T extends Float32Array | Float64Array>(stored: T, shape: readonly number[]): T {
  const c = (stored instanceof Float32Array ? new Float32Array(stored.length) : new Float64Array(stored.length)) as T;
  const rank = shape.length;
  const fortranStride: number[] = [];
  for (let k = 0, stride = 1; k < rank; k++) {
    fortranStride.push(stride);
    stride *= shape[k];
  }
  const index = new Array<number>(rank).fill(0);
  let f = 0;
  for (let i = 0; i < c.length; i++) {
    c[i] = stored[f];
    for (let k = rank - 1; k >= 0; k--) {
      index[k]++;
      f += fortranStride[k];
      if (index[k] < shape[k]) break;
      f -= fortranStride[k] * shape[k];
      index[k] = 0;
    }
  }
  return c;
}

function checkFinite(name: string, shape: readonly number[], data: Float32Array | Float64Array, file: string): void {
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (!Number.isFinite(value)) {
      throw new InputError(file, `${name} contains ${value} at [${unravel(i, shape).join(', ')}]`);
    }
  }
}

/** The C-order multi-index of a flat offset. */
function unravel(offset: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    index[k] = offset % shape[k];
    offset = Math.floor(offset / shape[k]);
  }
  return index;
}

/** A Python-style quoted string, with control characters escaped so messages stay one line. */
export function quote(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return `'${shown.replace(/[\\']/g, '\\$&').replace(/[\x00-\x1f\x7f-\x9f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}
