/**
 * Whether bytes look like an ONNX model, for the format detector: many protobufs start with 0x08
 * (a TensorFlow SavedModel: schema version 1, then a MetaGraphDef in field 2), so beyond ir_version
 * the top-level fields are stepped over (not decoded) and must all be fields of a ModelProto with
 * their wire types, its text fields UTF-8, and a graph among them.
 */
import { type Tag, WireReader } from './wire-reader.js';

/** ModelProto's fields and their wire types (onnx.proto). */
const MODEL_FIELDS: Readonly<Record<number, number>> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2 };
/** producer_name, producer_version, domain: short text. */
const TEXT_FIELDS = new Set([2, 3, 4]);
const MAX_TEXT_BYTES = 4096;
/** More top-level fields than any model has (metadata_props aside); past them, not ONNX. */
const MAX_FIELDS = 4096;
const MAX_IR_VERSION = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

class NotOnnx extends Error {}
const notOnnx = (): never => {
  throw new NotOnnx();
};

export function isOnnx(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x08) return false;
  const reader = new WireReader(bytes, 0, bytes.length, notOnnx);
  try {
    let sawGraph = false;
    for (let fields = 0; !reader.done; fields++) {
      if (fields === MAX_FIELDS) return false;
      const tag: Tag = reader.tag();
      if (MODEL_FIELDS[tag.id] !== tag.wire) return false;
      if (fields === 0) {
        const ir = reader.int64();
        if (tag.id !== 1 || !(ir >= 1 && ir <= MAX_IR_VERSION)) return false;
      } else if (TEXT_FIELDS.has(tag.id)) {
        const length = reader.length();
        if (length > MAX_TEXT_BYTES) return false;
        const text = utf8.decode(reader.take(length));
        if (/[\x00-\x08\x0e-\x1f\x7f]/.test(text)) return false;
      } else {
        if (tag.id === 7) sawGraph = true;
        reader.skip(tag);
      }
    }
    return sawGraph;
  } catch (error) {
    if (error instanceof NotOnnx || error instanceof TypeError) return false;
    throw error;
  }
}
