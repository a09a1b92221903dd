/**
 * A tensor as frameworks store it: a view (offset, size, stride, in elements) on a flat storage of
 * float32, float64, float16 or bfloat16 values. The view is checked against the storage before any
 * element is read, gathered into C order when its strides are not, and decoded to an NdArray
 * (16-bit floats widened to float32, non-finite values refused).
 */
import { endianness } from 'node:os';
import { InputError } from '../../errors.js';
import { decodeArray, formatShape } from '../decode-array.js';
import { widenHalfFloats } from '../half-float.js';
import type { FloatDtype, NdArray } from '../nd-array.js';

/** The float element types a storage may hold; the 16-bit ones are widened to float32. */
export type FloatKind = 'float32' | 'float64' | 'float16' | 'bfloat16';

const ITEM_SIZE: Readonly<Record<FloatKind, number>> = { float32: 4, float64: 8, float16: 2, bfloat16: 2 };
const NATIVE_LITTLE_ENDIAN = endianness() === 'LE';

/** The dtype an array of `kind` has once read. */
export function arrayDtype(kind: FloatKind): FloatDtype {
  return kind === 'float64' ? 'float64' : 'float32';
}

export interface TensorView {
  readonly offset: number;
  readonly size: readonly number[];
  readonly stride: readonly number[];
}

const count = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/**
 * Refuses a view that reaches outside a storage of `numel` elements: negative offsets, sizes or
 * strides, one stride per dimension, and the furthest element (offset + Σ (size − 1) × stride)
 * inside the storage. `name` is the tensor's, for messages.
 */
export function checkView(name: string, view: TensorView, numel: number, file: string): void {
  const { offset, size, stride } = view;
  if (size.length !== stride.length) {
    throw new InputError(file, `${name} has size ${formatShape(size)} and stride ${formatShape(stride)}, expected one stride per dimension`);
  }
  if (offset < 0) throw new InputError(file, `${name} has a negative storage offset ${offset}`);
  if (size.some((d) => d < 0)) throw new InputError(file, `${name} has a negative size ${formatShape(size)}`);
  if (stride.some((s) => s < 0)) throw new InputError(file, `${name} has a negative stride ${formatShape(stride)}`);
  if (count(size) === 0) {
    if (offset > numel) throw new InputError(file, `${name} starts at element ${offset} of its storage, which holds ${numel}`);
    return;
  }
  // In doubles: a sum past 2^53 only rounds, and still compares as past any storage.
  const last = size.reduce((end, d, k) => end + (d - 1) * stride[k], offset);
  if (last >= numel) {
    throw new InputError(file, `${name} reaches element ${last} of its storage, which holds ${numel} (offset ${offset}, size ${formatShape(size)}, stride ${formatShape(stride)})`);
  }
}

/**
 * The checked view's elements of `storage` (the storage's bytes, `littleEndian` or not) as a
 * C-order array; strides other than C order's are gathered into it.
 */
export function viewArray(name: string, view: TensorView, kind: FloatKind, storage: Uint8Array, littleEndian: boolean, file: string): NdArray {
  const itemSize = ITEM_SIZE[kind];
  const n = count(view.size);
  const bytes = isCOrder(view)
    ? storage.subarray(view.offset * itemSize, (view.offset + n) * itemSize)
    : gather(storage, itemSize, view, n);
  return decodeFloats(name, view.size, kind, bytes, littleEndian, file);
}

/** The bytes of `shape`'s elements in C order (checks the byte count, widens, refuses non-finite values). */
export function decodeFloats(name: string, shape: readonly number[], kind: FloatKind, bytes: Uint8Array, littleEndian: boolean, file: string): NdArray {
  if (kind === 'float32' || kind === 'float64') {
    return decodeArray({ name, shape, type: { dtype: kind, littleEndian }, fortranOrder: false, bytes }, file);
  }
  const n = count(shape);
  if (bytes.byteLength !== n * 2) {
    throw new InputError(file, `${name} has ${bytes.byteLength} data bytes, expected ${n * 2} for shape ${formatShape(shape)} ${kind}`);
  }
  const widened = widenHalfFloats(bytes, n, kind, littleEndian);
  // Native and aligned: decodeArray keeps the widened values (no copy) and refuses NaN and infinities.
  const native = new Uint8Array(widened.buffer);
  return decodeArray({ name, shape, type: { dtype: 'float32', littleEndian: NATIVE_LITTLE_ENDIAN }, fortranOrder: false, bytes: native }, file);
}

/** True when the view's elements lie one after the other in C order (dimensions of 1 take any stride). */
function isCOrder({ size, stride }: TensorView): boolean {
  let expected = 1;
  for (let k = size.length - 1; k >= 0; k--) {
    if (size[k] !== 1 && stride[k] !== expected) return false;
    expected *= size[k];
  }
  return true;
}

/** Copies the view's elements into C order, walking its index like an odometer. */
function gather(storage: Uint8Array, itemSize: number, { offset, size, stride }: TensorView, n: number): Uint8Array {
  const out = new Uint8Array(n * itemSize);
  const rank = size.length;
  const index = new Array<number>(rank).fill(0);
  let element = offset;
  for (let i = 0; i < n; i++) {
    const from = element * itemSize;
    for (let b = 0; b < itemSize; b++) out[i * itemSize + b] = storage[from + b];
    for (let k = rank - 1; k >= 0; k--) {
      index[k]++;
      element += stride[k];
      if (index[k] < size[k]) break;
      element -= stride[k] * size[k];
      index[k] = 0;
    }
  }
  return out;
}
