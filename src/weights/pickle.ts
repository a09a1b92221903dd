import { basename } from 'node:path';
import { BufferReader, Parser } from 'pickleparser';
import { InputError } from '../errors.js';
import {
  DEFAULT_MAX_BYTES, createByteBudget, decodeArray, floatType, isShape, quote, type WeightLoadOptions,
} from './decode-array.js';
import type { WeightArrays } from './nd-array.js';
import { readWeightFile } from './read-weight-file.js';

/*
 * numpy pickles an array as calls to a few numpy functions, which pickleparser hands to a name
 * resolver. Ours knows only the globals below and refuses every other one the moment the pickle
 * names it, so nothing a pickle asks for ever runs: the "functions" here only record their
 * arguments in tokens, and the arrays are decoded from the tokens after parsing.
 *
 *   numpy 1.x/2.x, protocol 2-4:  _reconstruct(ndarray, (0,), b'b'), then BUILD with the state
 *                                 (1, shape, dtype, is_fortran, rawdata)
 *   numpy, protocol 5:            _frombuffer(bytearray, dtype, shape, 'C' | 'F')
 *   a dtype:                      dtype('f4', False, True), then BUILD with (3, '<', None, …)
 *   protocol 2 from Python 3:     bytes are _codecs.encode(latin1 string, 'latin1')
 */

/** A numpy dtype: its type code ('f4') and, once BUILD ran, its byte order. */
class DtypeToken {
  byteOrder = '=';
  constructor(readonly code: string) {}
  __setstate__(state: unknown): void {
    if (!Array.isArray(state) || state.length < 2 || typeof state[1] !== 'string' || !/^[<>=|]$/.test(state[1])) {
      throw new MalformedPickle('malformed numpy dtype state');
    }
    if (state.length > 4 && (state[3] != null || state[4] != null)) {
      throw new MalformedPickle(`structured numpy dtype ${quote(this.code)} is not supported, expected float32 or float64`);
    }
    this.byteOrder = state[1];
  }
}

/** A numpy array under construction: filled in by BUILD (protocol 2-4) or by _frombuffer at once. */
class ArrayToken {
  shape?: number[];
  dtype?: DtypeToken;
  fortranOrder = false;
  bytes?: Uint8Array;
  __setstate__(state: unknown): void {
    // (version, shape, dtype, is_fortran, rawdata); very old numpy left the version out.
    const fields = Array.isArray(state) && state.length === 5 ? state.slice(1) : state;
    if (!Array.isArray(fields) || fields.length !== 4) throw new MalformedPickle('malformed numpy array state');
    this.fill(fields[0], fields[1], fields[2], fields[3]);
  }
  fill(shape: unknown, dtype: unknown, fortranOrder: unknown, bytes: unknown): void {
    if (this.bytes) throw new MalformedPickle('a numpy array gets its state twice');
    if (!isShape(shape)) throw new MalformedPickle('malformed numpy array shape');
    if (!(dtype instanceof DtypeToken)) throw new MalformedPickle('malformed numpy array dtype');
    if (typeof fortranOrder !== 'boolean' && fortranOrder !== 0 && fortranOrder !== 1) {
      throw new MalformedPickle('malformed numpy array order flag');
    }
    this.shape = shape;
    this.dtype = dtype;
    this.fortranOrder = Boolean(fortranOrder);
    this.bytes = toBytes(bytes);
  }
}

/** A numpy scalar (numpy.core.multiarray.scalar): allowed in the dict, and left out of the arrays. */
class ScalarToken {}

/** A problem in the pickle's structure; reported with the file name by parsePickleWeights. */
class MalformedPickle extends Error {}

type Resolved = (...args: unknown[]) => unknown;

/** The globals a pickle of numpy arrays needs, each made fresh per parse. */
function createGlobals(arrays: Set<ArrayToken>): Map<string, Resolved> {
  const ndarray: Resolved = () => {
    throw new MalformedPickle('numpy.ndarray is called directly');
  };
  const reconstruct: Resolved = (subtype) => {
    if (subtype !== ndarray) throw new MalformedPickle('_reconstruct of something other than numpy.ndarray');
    const token = new ArrayToken();
    arrays.add(token);
    return token;
  };
  const frombuffer: Resolved = (buffer, dtype, shape, order) => {
    if (order !== 'C' && order !== 'F') throw new MalformedPickle('malformed numpy array order');
    const token = new ArrayToken();
    token.fill(shape, dtype, order === 'F', buffer);
    arrays.add(token);
    return token;
  };
  const dtype: Resolved = (code) => {
    if (typeof code !== 'string') throw new MalformedPickle('malformed numpy dtype');
    return new DtypeToken(code);
  };
  const scalar: Resolved = () => new ScalarToken();
  const encode: Resolved = (text, encoding) => {
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
      throw new MalformedPickle('_codecs.encode is only allowed for latin1 bytes');
    }
    return latin1Bytes(text);
  };
  const orderedDict: Resolved = () => new Map();
  return new Map<string, Resolved>([
    ['numpy.core.multiarray._reconstruct', reconstruct],
    ['numpy._core.multiarray._reconstruct', reconstruct],
    ['numpy.core.numeric._frombuffer', frombuffer],
    ['numpy._core.numeric._frombuffer', frombuffer],
    ['numpy.core.multiarray.scalar', scalar],
    ['numpy._core.multiarray.scalar', scalar],
    ['numpy.ndarray', ndarray],
    ['numpy.dtype', dtype],
    ['_codecs.encode', encode],
    ['collections.OrderedDict', orderedDict],
  ]);
}

/** Bytes from a latin1 string (protocol 2 from Python 3), or from a str Python 2 pickled (see below). */
function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new MalformedPickle('latin1 bytes hold a character above U+00FF');
    bytes[i] = code;
  }
  return bytes;
}

/**
 * Python 2 pickled array data as a str, which pickleparser decodes as windows-1252 (the WHATWG
 * meaning of 'ascii'). Undo that: map the 27 characters windows-1252 puts at 0x80-0x9f back.
 */
const WINDOWS_1252_HIGH = '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f'
  + '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

function windows1252Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const high = WINDOWS_1252_HIGH.indexOf(text[i]);
    if (high >= 0) bytes[i] = 0x80 + high;
    else if (code <= 0xff) bytes[i] = code;
    else throw new MalformedPickle('array data str holds a character outside windows-1252');
  }
  return bytes;
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return windows1252Bytes(value);
  throw new MalformedPickle('numpy array data is not bytes');
}

/**
 * pickleparser's reader, with 8-byte lengths that refuse unsafe integers instead of warning, and
 * negative lengths refused: BINBYTES reads its length as a signed int32, and a negative one would
 * move the reader back, so that a corrupt file loops until memory runs out.
 */
class PickleReader extends BufferReader {
  override skip(offset: number): void {
    if (offset < 0) throw new MalformedPickle(`negative length ${offset} at byte ${this.position}`);
    super.skip(offset);
  }

  override uint64(): number {
    const bytes = this.bytes(8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
    const high = view.getUint32(4, true);
    if (high >= 2 ** 21) throw new MalformedPickle('an 8-byte length is larger than any file');
    return high * 2 ** 32 + view.getUint32(0, true);
  }
}

/** Reads a pickle file holding a dict of numpy float arrays. */
export async function loadPickleWeights(path: string, options: WeightLoadOptions = {}): Promise<WeightArrays> {
  const file = basename(path);
  const bytes = await readWeightFile(path, file, options.maxBytes ?? DEFAULT_MAX_BYTES);
  return parsePickleWeights(bytes, file, options);
}

/**
 * Parses the bytes of a pickle (protocol 2 to 5) of a dict (or OrderedDict) of numpy float32 or
 * float64 arrays, as numpy 1.x and 2.x write them. Values that are not arrays are left out.
 * Arrays come back in C order; their data may be views on `bytes`. `file` names the source in errors.
 */
export function parsePickleWeights(bytes: Uint8Array, file: string, options: WeightLoadOptions = {}): WeightArrays {
  if (bytes.length === 0 || bytes[0] !== 0x80) {
    const got = bytes.length === 0 ? 'an empty file' : `0x${hex(bytes[0])}`;
    throw new InputError(file, `not a pickle of protocol 2 to 5, expected the PROTO opcode 0x80 first, got ${got}`);
  }
  if (bytes.length === 1) throw truncated(bytes, file);
  if (bytes[1] < 2 || bytes[1] > 5) {
    throw new InputError(file, `unsupported pickle protocol ${bytes[1]}, expected 2 to 5`);
  }
  const arrays = new Set<ArrayToken>();
  const root = unpickle(bytes, file, arrays);
  return collectArrays(root, arrays, file, options);
}

function unpickle(bytes: Uint8Array, file: string, arrays: Set<ArrayToken>): unknown {
  const globals = createGlobals(arrays);
  const refuse = (what: string): never => {
    throw new InputError(file, `refused to load ${what} (only numpy array globals are allowed)`);
  };
  const parser = new Parser({
    nameResolver: {
      resolve: (module: unknown, name: unknown) => {
        if (typeof module !== 'string' || typeof name !== 'string') throw new MalformedPickle('a global is named by non-strings');
        return globals.get(`${module}.${name}`) ?? refuse(`global ${quote(`${module}.${name}`).slice(1, -1)}`);
      },
    },
    persistentResolver: { resolve: () => refuse('a persistent id') },
    extensionResolver: { resolve: (code: number) => refuse(`extension code ${code}`) },
    buffers: {
      next: () => {
        throw new InputError(file, 'pickle refers to out-of-band buffers (protocol 5 buffer_callback), which a file does not hold');
      },
    },
    unpicklingTypeOfDictionary: 'Map',
    unpicklingTypeOfSet: 'array',
  });
  const reader = new PickleReader(bytes);
  // pickleparser warns on the console when a LONG1 integer is too large for a double; for a
  // corrupt file that is noise. Parsing is synchronous, so muting the console here mutes only it.
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return parser.read(reader);
  } catch (error) {
    throw asInputError(error, reader, bytes, file);
  } finally {
    console.warn = warn;
  }
}

/** Turns what went wrong inside pickleparser into one clear line. */
function asInputError(error: unknown, reader: PickleReader, bytes: Uint8Array, file: string): InputError {
  if (error instanceof InputError) return error;
  if (error instanceof MalformedPickle) return new InputError(file, `corrupt pickle, ${error.message}`);
  const message = error instanceof Error ? error.message : '';
  if (/Unexpected end of file|Could not find end of line/.test(message)) {
    return truncated(bytes, file);
  }
  const opcode = /^Unsupported opcode '(\d+)'/.exec(message);
  if (opcode) {
    return new InputError(file, `corrupt pickle, unknown opcode 0x${hex(Number(opcode[1]))} at byte ${reader.position - 1}`);
  }
  return new InputError(file, `corrupt pickle, invalid opcode sequence before byte ${Math.min(reader.position, bytes.length)}`);
}

function truncated(bytes: Uint8Array, file: string): InputError {
  return new InputError(file, `truncated pickle, it ends at byte ${bytes.length} before its STOP opcode`);
}

function collectArrays(root: unknown, arrays: Set<ArrayToken>, file: string, options: WeightLoadOptions): WeightArrays {
  if (!(root instanceof Map)) {
    throw new InputError(file, `expected a dict of numpy arrays at the top level, got ${pythonType(root, arrays)}`);
  }
  const claim = createByteBudget(file, options);
  const weights: WeightArrays = new Map();
  for (const [key, value] of root) {
    if (!(value instanceof ArrayToken && arrays.has(value))) continue;
    if (typeof key !== 'string') throw new InputError(file, `an array's key is ${pythonType(key, arrays)}, expected str`);
    const { shape, dtype, bytes } = value;
    if (!shape || !dtype || !bytes) throw new InputError(file, `corrupt pickle, array ${key} has no state`);
    const type = floatType(dtype.byteOrder + dtype.code, file, key);
    claim(key, shape, type.dtype);
    weights.set(key, decodeArray({ name: key, shape, type, fortranOrder: value.fortranOrder, bytes }, file));
  }
  if (weights.size === 0) {
    const keys = [...root.keys()].map((key) => (typeof key !== 'string' ? `<${typeof key}>` : /^[\w.-]{1,80}$/.test(key) ? key : quote(key)));
    throw new InputError(file, `the dict holds no numpy float arrays (keys: ${keys.join(', ') || 'none'})`);
  }
  return weights;
}

function pythonType(value: unknown, arrays: Set<ArrayToken>): string {
  if (value instanceof ArrayToken && arrays.has(value)) return 'a numpy array';
  if (value instanceof Map) return 'a dict';
  if (Array.isArray(value)) return 'a list or tuple';
  if (value instanceof Uint8Array) return 'bytes';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return 'a str';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'boolean') return 'a bool';
  return 'another object';
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
