/**
 * ONNX TensorProtos (initializers, Constant values) decoded by hand from their wire format: the
 * dims and data type first, then the data, from `raw_data` (little-endian), a typed field
 * (`float_data`, `double_data`, `int32_data` holding 16-bit floats, `int64_data`) or external data,
 * always after the array's declared bytes are claimed from the file's budget, into typed arrays of
 * exactly that size.
 */
import { endianness } from 'node:os';
import { InputError } from '../../errors.js';
import { type ByteBudget, decodeArray, formatShape, quote } from '../decode-array.js';
import { float16Value, bfloat16Value } from '../half-float.js';
import type { NdArray } from '../nd-array.js';
import { MAX_STRING_BYTES } from './onnx-scan.js';
import { type Tag, WireReader } from './wire-reader.js';

export const DATA_TYPES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL',
  10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};
export const FLOAT = 1;
export const INT64 = 7;
const FLOAT16 = 10;
const DOUBLE = 11;
const BFLOAT16 = 16;

/** The most dims a tensor may have: ONNX models of images use at most 4 or 5. */
const MAX_RANK = 8;
const MAX_EXTERNAL_ENTRIES = 16;

/** A span of a typed data field: one packed run (wire type 2) or one value. */
interface Span {
  readonly id: number;
  readonly wire: number;
  readonly bytes: Uint8Array;
}

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly raw?: Uint8Array;
  readonly spans: readonly Span[];
  /** `external_data` entries (key → value) when `data_location` is EXTERNAL. */
  readonly external?: ReadonlyMap<string, string>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes the fields of one TensorProto; `where` names it in errors (`initializer 3`). */
export function parseTensor(bytes: Uint8Array, file: string, where: string): OnnxTensor {
  const fail = (problem: string): never => {
    throw new InputError(file, `${where}: ${problem}`);
  };
  const reader = new WireReader(bytes, 0, bytes.length, fail);
  const dims: number[] = [];
  const spans: Span[] = [];
  const external = new Map<string, string>();
  let name = '';
  let dataType = 0;
  let raw: Uint8Array | undefined;
  let location = 0;
  const addDim = (dim: number): void => {
    if (dims.length === MAX_RANK) fail(`more than ${MAX_RANK} dims`);
    if (!(dim >= 0)) fail(`dim ${dims.length} is ${Number.isNaN(dim) ? 'beyond 2^53' : dim}, expected a size of at least 0`);
    dims.push(dim);
  };
  /** A reader over the next length-delimited field, which `reader` steps over. */
  const sub = (outer: WireReader): WireReader => {
    const length = outer.length();
    const start = outer.pos;
    outer.take(length);
    return new WireReader(bytes, start, start + length, fail);
  };
  const text = (tag: Tag): string => {
    const length = reader.length();
    if (length > MAX_STRING_BYTES) fail(`field ${tag.id} at byte ${tag.at} is ${length} bytes of text, more than ${MAX_STRING_BYTES}`);
    try {
      return utf8.decode(reader.take(length));
    } catch (error) {
      if (error instanceof InputError) throw error;
      return fail(`field ${tag.id} at byte ${tag.at} is not UTF-8 text`);
    }
  };
  while (!reader.done) {
    const tag = reader.tag();
    const wire = (expected: number): boolean => {
      if (tag.wire !== expected) fail(`field ${tag.id} at byte ${tag.at} has wire type ${tag.wire}, expected ${expected}`);
      return true;
    };
    switch (tag.id) {
      case 1:
        if (tag.wire === 2) {
          const packed = sub(reader);
          while (!packed.done) addDim(packed.int64());
        } else if (wire(0)) addDim(reader.int64());
        break;
      case 2:
        if (wire(0)) dataType = reader.int64();
        break;
      case 3:
        fail('is a segment of a tensor split across TensorProtos, which this reader does not join');
        break;
      case 4: case 5: case 7: case 10: case 11: {
        const size = tag.wire === 2 ? reader.length() : tag.wire === 5 ? 4 : tag.wire === 1 ? 8 : -1;
        const start = reader.pos;
        if (size >= 0) reader.take(size);
        else if (wire(0)) reader.varint();
        spans.push({ id: tag.id, wire: tag.wire, bytes: bytes.subarray(start, reader.pos) });
        break;
      }
      case 6:
        fail('holds string_data, expected numbers');
        break;
      case 8:
        if (wire(2)) name = text(tag);
        break;
      case 9:
        if (wire(2)) raw = reader.take(reader.length());
        break;
      case 13:
        if (wire(2)) {
          if (external.size === MAX_EXTERNAL_ENTRIES) fail(`more than ${MAX_EXTERNAL_ENTRIES} external_data entries`);
          const [key, value] = parseEntry(sub(reader), fail);
          external.set(key, value);
        }
        break;
      case 14:
        if (wire(0)) location = reader.int64();
        break;
      default:
        reader.skip(tag);
    }
  }
  if (location !== 0 && location !== 1) fail(`data_location ${location}, expected DEFAULT (0) or EXTERNAL (1)`);
  if (location === 1 && (raw !== undefined || spans.length > 0)) fail('data_location is EXTERNAL but the tensor also holds data');
  return { name, dims, dataType, raw, spans, external: location === 1 ? external : undefined };

  function parseEntry(entry: WireReader, failEntry: (problem: string) => never): [string, string] {
    let key = '';
    let value = '';
    while (!entry.done) {
      const tag = entry.tag();
      if ((tag.id === 1 || tag.id === 2) && tag.wire === 2) {
        const length = entry.length();
        if (length > MAX_STRING_BYTES) failEntry(`external_data entry at byte ${tag.at} is ${length} bytes of text, more than ${MAX_STRING_BYTES}`);
        const field = entry.take(length);
        let decoded: string;
        try {
          decoded = utf8.decode(field);
        } catch {
          return failEntry(`external_data entry at byte ${tag.at} is not UTF-8 text`);
        }
        if (tag.id === 1) key = decoded;
        else value = decoded;
      } else entry.skip(tag);
    }
    return [key, value];
  }
}

export function dataTypeName(dataType: number): string {
  return `${DATA_TYPES[dataType] ?? 'unknown data type'} (${dataType})`;
}

/** The float types an array may have, with their stored item size. */
const FLOAT_TYPES: Readonly<Record<number, { readonly size: number; readonly dtype: 'float32' | 'float64' }>> = {
  [FLOAT]: { size: 4, dtype: 'float32' },
  [DOUBLE]: { size: 8, dtype: 'float64' },
  [FLOAT16]: { size: 2, dtype: 'float32' },
  [BFLOAT16]: { size: 2, dtype: 'float32' },
};

export const isFloatTensor = (tensor: OnnxTensor): boolean => FLOAT_TYPES[tensor.dataType] !== undefined;

/** How many bytes the tensor's data takes as stored (raw or external). */
export function storedBytes(tensor: OnnxTensor): number {
  const size = FLOAT_TYPES[tensor.dataType]?.size ?? (tensor.dataType === INT64 ? 8 : 1);
  return tensor.dims.reduce((n, d) => n * d, size);
}

const NATIVE_LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Claims the bytes of the array a float tensor makes (float16 and bfloat16 as float32) from
 * `budget`, before its data is read or decoded.
 */
export function claimFloatArray(tensor: OnnxTensor, file: string, budget: ByteBudget, label = `initializer ${quote(tensor.name)}`): void {
  const type = FLOAT_TYPES[tensor.dataType] ?? notFloat(tensor, file, label);
  budget.claim(label, tensor.dims, type.dtype);
}

const notFloat = (tensor: OnnxTensor, file: string, label: string): never => {
  throw new InputError(file, `${label}: data type ${dataTypeName(tensor.dataType)}, expected FLOAT, DOUBLE, FLOAT16 or BFLOAT16`);
};

/**
 * A float tensor as an NdArray (float16 and bfloat16 widened to float32), once its bytes are
 * claimed (claimFloatArray). `external` is the data read from its external file, when it has one.
 */
export function floatArray(tensor: OnnxTensor, file: string, external?: Uint8Array, label = `initializer ${quote(tensor.name)}`): NdArray {
  const { dims, dataType } = tensor;
  const fail = (problem: string): never => {
    throw new InputError(file, `${label}: ${problem}`);
  };
  const type = FLOAT_TYPES[dataType] ?? notFloat(tensor, file, label);
  const count = dims.reduce((n, d) => n * d, 1);
  const bytes = external ?? tensor.raw;
  const asArray = (data: Float32Array | Float64Array, littleEndian = NATIVE_LITTLE_ENDIAN): NdArray =>
    decodeArray({ name: label, shape: dims, type: { dtype: type.dtype, littleEndian }, fortranOrder: false, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }, file);
  if (bytes !== undefined) {
    if (bytes.byteLength !== count * type.size) {
      fail(`has ${bytes.byteLength} data bytes, expected ${count * type.size} for shape ${formatShape(dims)} ${DATA_TYPES[dataType]}`);
    }
    if (type.size !== 2) return decodeArray({ name: label, shape: dims, type: { dtype: type.dtype, littleEndian: true }, fortranOrder: false, bytes }, file);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const widen = dataType === FLOAT16 ? float16Value : bfloat16Value;
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = widen(view.getUint16(i * 2, true));
    return asArray(data);
  }
  const field = dataType === FLOAT ? 4 : dataType === DOUBLE ? 10 : 5;
  const fieldName = { 4: 'float_data', 10: 'double_data', 5: 'int32_data' }[field];
  const data = type.dtype === 'float64' ? new Float64Array(count) : new Float32Array(count);
  let n = 0;
  const put = (value: number): void => {
    if (n === count) fail(`${fieldName} holds more than the ${count} values of shape ${formatShape(dims)}`);
    data[n++] = value;
  };
  for (const span of tensor.spans) {
    if (span.id !== field) fail(`holds ${spanName(span.id)}, expected ${fieldName} for ${DATA_TYPES[dataType]}`);
    const view = new DataView(span.bytes.buffer, span.bytes.byteOffset, span.bytes.byteLength);
    if (field === 4 || field === 10) {
      const size = field === 4 ? 4 : 8;
      if (span.bytes.byteLength % size !== 0) fail(`${fieldName} holds ${span.bytes.byteLength} bytes, not a whole number of ${size}-byte values`);
      for (let at = 0; at < span.bytes.byteLength; at += size) put(size === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true));
    } else {
      const values = new WireReader(span.bytes, 0, span.bytes.byteLength, fail);
      const widen = dataType === FLOAT16 ? float16Value : bfloat16Value;
      while (!values.done) {
        const bits = values.int64();
        if (!(bits >= 0 && bits <= 0xffff)) fail(`int32_data holds ${bits}, expected the 16 bits of a ${DATA_TYPES[dataType]} (0 to 65535)`);
        put(widen(bits));
      }
    }
  }
  if (n !== count) fail(`${n === 0 && count > 0 ? 'has no data' : `${fieldName} holds ${n} values`}, expected ${count} for shape ${formatShape(dims)}`);
  return asArray(data);
}

const spanName = (id: number): string => ({ 4: 'float_data', 5: 'int32_data', 7: 'int64_data', 10: 'double_data', 11: 'uint64_data' })[id] ?? `field ${id}`;

/** An INT64 tensor's values (a Reshape's shape), at most `maxCount` of them. */
export function int64Values(tensor: OnnxTensor, file: string, label: string, maxCount: number): number[] {
  const fail = (problem: string): never => {
    throw new InputError(file, `${label}: ${problem}`);
  };
  if (tensor.dataType !== INT64) fail(`data type ${dataTypeName(tensor.dataType)}, expected INT64`);
  if (tensor.external !== undefined) fail('an INT64 tensor in external data, expected its values in the model');
  const count = tensor.dims.reduce((n, d) => n * d, 1);
  if (count > maxCount) fail(`holds ${count} values, expected at most ${maxCount}`);
  const values: number[] = [];
  if (tensor.raw !== undefined) {
    if (tensor.raw.byteLength !== count * 8) fail(`has ${tensor.raw.byteLength} data bytes, expected ${count * 8} for shape ${formatShape(tensor.dims)} INT64`);
    const view = new DataView(tensor.raw.buffer, tensor.raw.byteOffset, tensor.raw.byteLength);
    for (let i = 0; i < count; i++) {
      const value = Number(view.getBigInt64(i * 8, true));
      values.push(Number.isSafeInteger(value) ? value : NaN);
    }
  } else {
    for (const span of tensor.spans) {
      if (span.id !== 7) fail(`holds ${spanName(span.id)}, expected int64_data for INT64`);
      const reader = new WireReader(span.bytes, 0, span.bytes.byteLength, fail);
      while (!reader.done && values.length <= count) values.push(reader.int64());
    }
  }
  if (values.length !== count) fail(`holds ${values.length} values, expected ${count} for shape ${formatShape(tensor.dims)}`);
  return values;
}
