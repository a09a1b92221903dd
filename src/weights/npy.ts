import { InputError } from '../errors.js';
import {
  createByteBudget, decodeArray, floatType, isShape, quote, type ByteBudget, type WeightLoadOptions,
} from './decode-array.js';
import type { NdArray } from './nd-array.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The header of a .npy file: `{'descr': '<f4', 'fortran_order': False, 'shape': (784, 50), }`. */
export interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Where the array data starts. */
  readonly dataOffset: number;
}

/**
 * Parses one .npy array (format versions 1, 2 and 3) of float32 or float64, either byte order,
 * C or Fortran order, into a C-order NdArray. `name` is the array's name in messages; the declared
 * size is checked against `maxBytes` before the data is touched.
 */
export function parseNpy(bytes: Uint8Array, file: string, name: string, options: WeightLoadOptions = {}): NdArray {
  return decodeNpy(bytes, file, name, createByteBudget(file, options));
}

/** parseNpy with the byte budget of a whole file, so that the arrays of an .npz share one limit. */
export function decodeNpy(bytes: Uint8Array, file: string, name: string, budget: ByteBudget): NdArray {
  const header = parseNpyHeader(bytes, file, name);
  const type = floatType(header.descr, file, name);
  budget.claim(name, header.shape, type.dtype);
  const data = bytes.subarray(header.dataOffset);
  return decodeArray({ name, shape: header.shape, type, fortranOrder: header.fortranOrder, bytes: data }, file);
}

/** Reads the magic string, version, header length and header dict of a .npy file. */
export function parseNpyHeader(bytes: Uint8Array, file: string, name: string): NpyHeader {
  const fail = (problem: string): never => {
    throw new InputError(file, `${name} ${problem}`);
  };
  if (bytes.length < 10 || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    fail('is not a .npy array, expected the magic string \\x93NUMPY');
  }
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`has .npy format version ${major}.${bytes[7]}, expected 1, 2 or 3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthSize) fail('has a truncated .npy header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthSize;
  if (bytes.length < start + headerLength) {
    fail(`has a truncated .npy header, expected ${headerLength} header bytes, got ${bytes.length - start}`);
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  let dict: unknown;
  try {
    dict = parsePythonLiteral(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    fail(`has a malformed .npy header, ${error.message}`);
  }
  if (!(dict instanceof Map)) return fail('has a malformed .npy header, expected a dict');
  const descr = dict.get('descr');
  const fortranOrder = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') {
    fail(descr === undefined ? 'has a .npy header without descr' : 'has a structured dtype, expected float32 or float64');
  }
  if (typeof fortranOrder !== 'boolean') fail('has a .npy header without a boolean fortran_order');
  if (!isShape(shape)) fail('has a .npy header without a shape of non-negative ints');
  return { descr: descr as string, fortranOrder: fortranOrder as boolean, shape: shape as number[], dataOffset: start + headerLength };
}

/**
 * A tiny parser for the Python literals of a .npy header: dicts, tuples, lists, str, int, True,
 * False and None. Never eval. Throws SyntaxError.
 */
export function parsePythonLiteral(text: string): unknown {
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const expect = (token: string) => {
    skipSpace();
    if (!text.startsWith(token, at)) throw new SyntaxError(`expected ${quote(token)} at character ${at}`);
    at += token.length;
  };
  // Reads items up to `close`, allowing a trailing comma as Python does.
  const items = (close: string, item: () => void) => {
    for (;;) {
      skipSpace();
      if (text[at] === close) break;
      item();
      skipSpace();
      if (text[at] === ',') at++;
      else if (text[at] !== close) throw new SyntaxError(`expected ',' or ${quote(close)} at character ${at}`);
    }
    at++;
  };
  const value = (depth: number): unknown => {
    if (depth > 16) throw new SyntaxError('nested too deeply');
    skipSpace();
    const ch = text[at];
    if (ch === '{') {
      at++;
      const dict = new Map<unknown, unknown>();
      items('}', () => {
        const key = value(depth + 1);
        expect(':');
        dict.set(key, value(depth + 1));
      });
      return dict;
    }
    if (ch === '(' || ch === '[') {
      at++;
      const list: unknown[] = [];
      items(ch === '(' ? ')' : ']', () => list.push(value(depth + 1)));
      return list;
    }
    if (ch === "'" || ch === '"') return string(ch);
    const word = /^(?:-?\d+L?|True|False|None)/.exec(text.slice(at, at + 32));
    if (!word) throw new SyntaxError(`unexpected ${ch === undefined ? 'end' : quote(ch)} at character ${at}`);
    at += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number.parseInt(word[0], 10); // Python 2 wrote longs as 784L
  };
  const string = (q: string): string => {
    let out = '';
    for (at++; at < text.length && text[at] !== q; at++) {
      if (text[at] === '\\') at++;
      out += text[at] ?? '';
    }
    if (at >= text.length) throw new SyntaxError('unterminated string');
    at++;
    return out;
  };
  const result = value(0);
  skipSpace();
  if (at !== text.length) throw new SyntaxError(`unexpected ${quote(text[at])} at character ${at}`);
  return result;
}
