/**
 * A walk over the protobuf's wire format, before protobufjs decodes it, that allocates nothing:
 * protobufjs builds an object per message, a string per string and a number (or a Long) per packed
 * element, so a small file of empty messages or one-byte varints could make a thousand times its
 * size. The walk counts what decoding would build and refuses more than MAX_ITEMS, and checks every
 * length against its message, every wire type against the schema and the nesting depth, so that
 * protobufjs then only meets a well-formed message of bounded size.
 */
import protobuf from 'protobufjs/light.js';
import { InputError } from '../../errors.js';

/** The most fields and packed elements a model's structure may hold (the book's ch07 has a few hundred). */
export const MAX_ITEMS = 1_000_000;
/** The deepest nesting the schema has is 7 (model, graph, value info, type, tensor type, shape, dim). */
const MAX_DEPTH = 16;
/** The longest text field (a name, a producer): a one-line message or a key, never a payload. */
export const MAX_STRING_BYTES = 65536;

const VARINT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const FIXED32_TYPES = new Set(['float', 'fixed32', 'sfixed32']);
const FIXED64_TYPES = new Set(['double', 'fixed64', 'sfixed64']);

/** The wire type a field's single value has: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
function wireTypeOf(field: protobuf.Field): number {
  if (VARINT_TYPES.has(field.type) || field.resolvedType instanceof protobuf.Enum) return 0;
  if (FIXED32_TYPES.has(field.type)) return 5;
  if (FIXED64_TYPES.has(field.type)) return 1;
  return 2;
}

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'group start', 'group end', '32-bit', 'wire type 6', 'wire type 7'];

/** Checks `bytes` as an encoded `type` (see the module's comment); throws an InputError naming `file`. */
export function scanMessage(bytes: Uint8Array, type: protobuf.Type, file: string): void {
  const reader = { pos: 0 };
  let items = 0;
  const fail = (problem: string): never => {
    throw new InputError(file, `not a valid ONNX protobuf: ${problem}`);
  };
  const count = (n: number, at: number): void => {
    items += n;
    if (items > MAX_ITEMS) fail(`more than ${MAX_ITEMS} fields and values by byte ${at}, more than a model's structure holds`);
  };
  const varint = (end: number): number => {
    const at = reader.pos;
    // A varint is at most 10 bytes; protobufjs's uint32 keeps the low 32 bits, enough for lengths
    // checked against `end` below (a longer length is past any end).
    let n = 0;
    for (let i = 0; i < 10; i++) {
      if (reader.pos >= end) fail(`truncated varint at byte ${at}`);
      const byte = bytes[reader.pos++];
      if (i < 7) n += (byte & 0x7f) * 2 ** (7 * i);
      else if (byte & 0x7f) n = Infinity;
      if (!(byte & 0x80)) return n;
    }
    return fail(`a varint longer than 10 bytes at byte ${at}`);
  };
  const walk = (messageType: protobuf.Type, end: number, depth: number): void => {
    if (depth > MAX_DEPTH) fail(`messages nested more than ${MAX_DEPTH} deep at byte ${reader.pos}`);
    while (reader.pos < end) {
      const at = reader.pos;
      const tag = varint(end);
      const id = Math.floor(tag / 8);
      const wire = tag % 8;
      if (id === 0 || id > 2 ** 29 - 1) fail(`field number ${id} at byte ${at}`);
      if (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5) fail(`${WIRE_NAMES[wire]} (field ${id} of ${messageType.name}) at byte ${at}, which ONNX does not use`);
      count(1, at);
      const field = messageType.fieldsById[id];
      const expected = field === undefined ? wire : wireTypeOf(field);
      const packed = field !== undefined && field.repeated && expected !== 2 && wire === 2;
      if (wire !== expected && !packed) fail(`${messageType.name}.${field!.name} is ${WIRE_NAMES[wire]} at byte ${at}, expected ${WIRE_NAMES[expected]}`);
      if (wire === 0) varint(end);
      else if (wire === 1 || wire === 5) skip(wire === 1 ? 8 : 4, at, end);
      else {
        const length = varint(end);
        if (length > end - reader.pos) fail(`field ${id} of ${messageType.name} at byte ${at} declares ${length} bytes, past the end of its message at byte ${end}`);
        if (field?.type === 'string' && length > MAX_STRING_BYTES) fail(`${messageType.name}.${field.name} at byte ${at} is ${length} bytes of text, more than ${MAX_STRING_BYTES}`);
        const stop = reader.pos + length;
        if (field?.resolvedType instanceof protobuf.Type) walk(field.resolvedType, stop, depth + 1);
        else if (packed) count(packedCount(field, reader.pos, stop, at), at);
        reader.pos = stop;
      }
    }
  };
  const skip = (n: number, at: number, end: number): void => {
    if (n > end - reader.pos) fail(`truncated at byte ${at}`);
    reader.pos += n;
  };
  const packedCount = (field: protobuf.Field, start: number, stop: number, at: number): number => {
    const size = FIXED32_TYPES.has(field.type) ? 4 : FIXED64_TYPES.has(field.type) ? 8 : 0;
    if (size === 0) {
      let n = 0;
      for (let i = start; i < stop; i++) if (!(bytes[i] & 0x80)) n++;
      if (stop > start && bytes[stop - 1] & 0x80) fail(`packed ${field.name} at byte ${at} ends inside a varint`);
      return n;
    }
    if ((stop - start) % size !== 0) fail(`packed ${field.name} at byte ${at} holds ${stop - start} bytes, not a whole number of ${size}-byte values`);
    return (stop - start) / size;
  };
  walk(type, bytes.length, 0);
}
