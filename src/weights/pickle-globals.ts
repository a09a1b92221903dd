/**
 * What a pickle of numpy arrays may name. numpy pickles an array as calls to a few numpy
 * functions, which pickleparser hands to a name resolver. Ours knows only the globals below (made
 * fresh per parse) and refuses every other one the moment the pickle names it, so nothing a
 * pickle asks for ever runs: the "functions" here only record their arguments in tokens, and the
 * arrays are decoded from the tokens after parsing.
 *
 *   numpy 1.x/2.x, protocol 2-4:  _reconstruct(ndarray, (0,), b'b'), then BUILD with the state
 *                                 (1, shape, dtype, is_fortran, rawdata)
 *   numpy, protocol 5:            _frombuffer(bytearray, dtype, shape, 'C' | 'F')
 *   a dtype:                      dtype('f4', False, True), then BUILD with (3, '<', None, …)
 *   protocol 2 from Python 3:     bytes are _codecs.encode(latin1 string, 'latin1')
 *
 * Every bytes object they make is charged to the file's budget first (`Charge`), so that a pickle
 * cannot turn one stored string into bytes thousands of times unseen.
 */
import { isShape, quote } from './decode-array.js';

/** Charges bytes about to be allocated to the file's budget; throws when they are over it. */
export type Charge = (bytes: number) => void;

/** A numpy dtype: its type code ('f4') and, once BUILD ran, its byte order. */
export class DtypeToken {
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
export class ArrayToken {
  shape?: number[];
  dtype?: DtypeToken;
  fortranOrder = false;
  bytes?: Uint8Array;
  constructor(readonly charge: Charge) {}
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
    this.bytes = toBytes(bytes, this.charge);
  }
}

/** A numpy scalar (numpy.core.multiarray.scalar): allowed in the dict, and left out of the arrays. */
export class ScalarToken {}

/** A problem in the pickle's structure; reported with the file name by parsePickleWeights. */
export class MalformedPickle extends Error {}

type Resolved = (...args: unknown[]) => unknown;

/** The globals a pickle of numpy arrays needs, each made fresh per parse. */
export function createGlobals(arrays: Set<ArrayToken>, charge: Charge): Map<string, Resolved> {
  const ndarray: Resolved = () => {
    throw new MalformedPickle('numpy.ndarray is called directly');
  };
  const reconstruct: Resolved = (subtype) => {
    if (subtype !== ndarray) throw new MalformedPickle('_reconstruct of something other than numpy.ndarray');
    const token = new ArrayToken(charge);
    arrays.add(token);
    return token;
  };
  const frombuffer: Resolved = (buffer, dtype, shape, order) => {
    if (order !== 'C' && order !== 'F') throw new MalformedPickle('malformed numpy array order');
    const token = new ArrayToken(charge);
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
    return latin1Bytes(text, charge);
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
export function latin1Bytes(text: string, charge: Charge): Uint8Array {
  charge(text.length);
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

function windows1252Bytes(text: string, charge: Charge): Uint8Array {
  charge(text.length);
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

function toBytes(value: unknown, charge: Charge): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return windows1252Bytes(value, charge);
  throw new MalformedPickle('numpy array data is not bytes');
}
