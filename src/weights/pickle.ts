import { basename } from 'node:path';
import { BufferReader, Parser } from 'pickleparser';
import { InputError } from '../errors.js';
import {
  DEFAULT_MAX_BYTES, createByteBudget, decodeArray, floatType, quote, type ByteBudget, type WeightLoadOptions,
} from './decode-array.js';
import type { WeightArrays } from './nd-array.js';
import { ArrayToken, MalformedPickle, createGlobals, type Charge } from './pickle-globals.js';
import { trapImplicitCopies } from './pickle-traps.js';
import { readWeightFile } from './read-weight-file.js';

/**
 * pickleparser's reader, with 8-byte lengths that refuse unsafe integers instead of warning, and
 * negative lengths refused: BINBYTES reads its length as a signed int32, and a negative one would
 * move the reader back, so that a corrupt file loops until memory runs out. Every string it
 * decodes is charged to the file's budget (a string takes at most about as many bytes as it had
 * in the file). LONG4 (the only opcode reading bytes after a 4-byte length) is refused: numpy
 * writes none, and pickleparser builds its BigInt in time quadratic in its length.
 */
export class PickleReader extends BufferReader {
  #afterUint32 = false;
  charge: Charge = () => undefined;

  override skip(offset: number): void {
    if (offset < 0) throw new MalformedPickle(`negative length ${offset} at byte ${this.position}`);
    super.skip(offset);
  }

  override uint32(): number {
    const value = super.uint32();
    this.#afterUint32 = true;
    return value;
  }

  override bytes(length: number): Uint8Array {
    if (this.#afterUint32) throw new MalformedPickle(`a LONG4 integer of ${length} bytes before byte ${this.position}, which numpy arrays never hold`);
    return super.bytes(length) as Uint8Array;
  }

  override string(size: number, encoding: 'ascii' | 'utf-8'): string {
    this.#afterUint32 = false;
    this.charge(size);
    return super.string(size, encoding);
  }

  override byte(): number {
    this.#afterUint32 = false;
    return super.byte();
  }

  override uint64(): number {
    this.#afterUint32 = false;
    const bytes = super.bytes(8);
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
  const budget = createByteBudget(file, options);
  const root = unpickle(bytes, file, arrays, budget);
  return collectArrays(root, arrays, file, budget);
}

function unpickle(bytes: Uint8Array, file: string, arrays: Set<ArrayToken>, budget: ByteBudget): unknown {
  const reader = new PickleReader(bytes);
  reader.charge = (size) => budget.charge(size, reader.position);
  const globals = createGlobals(arrays, reader.charge);
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
  return readPickle(parser, reader, bytes, file, 'only numpy arrays and dtypes may take');
}

/**
 * Runs `parser` over `reader`, its errors turned into one line naming `file`. pickleparser warns on
 * the console when a LONG1 integer is too large for a double; for a corrupt file that is noise.
 * Parsing is synchronous, so muting the console here mutes only it. The same holds for the traps
 * that refuse what would copy a container (see pickle-traps.ts): `allowed` says what may.
 */
export function readPickle(parser: Parser, reader: PickleReader, bytes: Uint8Array, file: string, allowed: string): unknown {
  const warn = console.warn;
  console.warn = () => undefined;
  const traps = trapImplicitCopies(() => new MalformedPickle(`BUILD or a conversion of a container before byte ${reader.position}, which ${allowed}`));
  try {
    return parser.read(reader);
  } catch (error) {
    throw asInputError(error, reader, bytes, file);
  } finally {
    traps.release();
    console.warn = warn;
  }
}

/** Turns what went wrong inside pickleparser into one clear line (shared with the torch readers). */
export function asInputError(error: unknown, reader: PickleReader, bytes: Uint8Array, file: string): InputError {
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

function collectArrays(root: unknown, arrays: Set<ArrayToken>, file: string, budget: ByteBudget): WeightArrays {
  if (!(root instanceof Map)) {
    throw new InputError(file, `expected a dict of numpy arrays at the top level, got ${pythonType(root, numpyArray(arrays))}`);
  }
  const weights: WeightArrays = new Map();
  for (const [key, value] of root) {
    if (!(value instanceof ArrayToken && arrays.has(value))) continue;
    if (typeof key !== 'string') throw new InputError(file, `an array's key is ${pythonType(key, numpyArray(arrays))}, expected str`);
    const { shape, dtype, bytes } = value;
    if (!shape || !dtype || !bytes) throw new InputError(file, `corrupt pickle, array ${key} has no state`);
    const type = floatType(dtype.byteOrder + dtype.code, file, key);
    budget.claim(key, shape, type.dtype);
    weights.set(key, decodeArray({ name: key, shape, type, fortranOrder: value.fortranOrder, bytes }, file));
  }
  if (weights.size === 0) {
    // At most 10 keys, so that a dict of 100,000 keys still makes a one-line message of normal length.
    const keys = [...root.keys()].slice(0, 10).map((key) => (typeof key !== 'string' ? `<${typeof key}>` : /^[\w.-]{1,80}$/.test(key) ? key : quote(key)));
    const more = root.size > 10 ? ` … and ${root.size - 10} more` : '';
    throw new InputError(file, `the dict holds no numpy float arrays (keys: ${keys.join(', ') || 'none'}${more})`);
  }
  return weights;
}

const numpyArray = (arrays: Set<ArrayToken>) => (value: unknown) => (value instanceof ArrayToken && arrays.has(value) ? 'a numpy array' : undefined);

/** What a parsed value was in Python, in a few words; `known` names the caller's own tokens first. */
export function pythonType(value: unknown, known: (value: unknown) => string | undefined = () => undefined): string {
  const named = known(value);
  if (named !== undefined) return named;
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
