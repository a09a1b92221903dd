/**
 * From an unpickled state dict to named arrays, for both torch formats: the dict (or the one a
 * checkpoint holds under 'state_dict', 'model_state_dict' or 'model'), its tensors in the dict's
 * order, each view checked against its storage before the storage is read, integer and bool
 * tensors checked and left out.
 */
import { InputError } from '../../errors.js';
import { quote, type ByteBudget } from '../decode-array.js';
import { pythonType as pythonTypeOf } from '../pickle.js';
import type { WeightArrays } from '../nd-array.js';
import { StorageToken, TensorToken } from './torch-globals.js';
import { arrayDtype, checkView, viewArray } from './tensor-storage.js';

/** The keys under which checkpoints often keep the state dict. */
const NESTED_KEYS = ['state_dict', 'model_state_dict', 'model'];

export interface StateDict {
  readonly dict: ReadonlyMap<unknown, unknown>;
  /** The key of the checkpoint dict the state dict was found under, if it was nested. */
  readonly nestedKey?: string;
}

/** The state dict: the top dict, or the dict under one of NESTED_KEYS when the top holds no tensor. */
export function pickStateDict(root: unknown, file: string): StateDict {
  if (!(root instanceof Map)) throw new InputError(file, `expected a state dict (a dict of tensors) at the top level, got ${pythonType(root)}`);
  if (!holdsTensors(root)) {
    for (const key of NESTED_KEYS) {
      const inner: unknown = root.get(key);
      if (inner instanceof Map && holdsTensors(inner)) return { dict: inner, nestedKey: key };
    }
  }
  return { dict: root };
}

const holdsTensors = (dict: Map<unknown, unknown>): boolean => [...dict.values()].some((value) => value instanceof TensorToken);

/** The tensors of the dict, in its order, by name, each view checked against its storage's size. */
export function tensorsOf(dict: ReadonlyMap<unknown, unknown>, file: string): Map<string, TensorToken> {
  const tensors = new Map<string, TensorToken>();
  for (const [key, value] of dict) {
    if (!(value instanceof TensorToken)) continue;
    if (typeof key !== 'string') throw new InputError(file, `a tensor's key is ${pythonType(key)}, expected str`);
    checkView(nameOf(key), value, value.storage.numel, file);
    tensors.set(key, value);
  }
  return tensors;
}

/**
 * Reads a storage's bytes (exactly numel × item size, or an InputError naming `tensor`), or, with
 * `withBytes` false, only checks that the file holds them.
 */
export type ReadStorage = (storage: StorageToken, tensor: string, withBytes: boolean) => Promise<Uint8Array | undefined>;

/**
 * The float tensors as arrays: each claimed from the budget by its shape before its storage is
 * read; `littleEndian` is the byte order of the storages.
 */
export async function stateDictArrays(
  tensors: ReadonlyMap<string, TensorToken>, dict: ReadonlyMap<unknown, unknown>, read: ReadStorage,
  budget: ByteBudget, littleEndian: boolean, file: string,
): Promise<WeightArrays> {
  const arrays: WeightArrays = new Map();
  for (const [key, tensor] of tensors) {
    const name = nameOf(key);
    const kind = tensor.storage.type.float;
    if (kind === undefined) {
      await read(tensor.storage, name, false);
      continue;
    }
    budget.claim(name, tensor.size, arrayDtype(kind));
    const bytes = await read(tensor.storage, name, true);
    if (bytes === undefined) throw new Error(`no bytes read for ${name}`);
    arrays.set(key, viewArray(name, tensor, kind, bytes, littleEndian, file));
  }
  if (arrays.size === 0) {
    // At most 10 keys, so that a dict of 100,000 keys still makes a one-line message of normal length.
    const keys = [...dict.keys()].slice(0, 10).map((key) => (typeof key === 'string' ? nameOf(key) : `<${pythonType(key)}>`));
    const more = dict.size > 10 ? ` … and ${dict.size - 10} more` : '';
    throw new InputError(file, `the state dict holds no float tensors (keys: ${keys.join(', ') || 'none'}${more})`);
  }
  return arrays;
}

/** A tensor's name as messages show it: quoted when it is not a plain name. */
export function nameOf(key: string): string {
  return /^[\w.\-/:]{1,100}$/.test(key) ? key : quote(key);
}

export function pythonType(value: unknown): string {
  return pythonTypeOf(value, (v) => (v instanceof TensorToken ? 'a tensor' : v instanceof StorageToken ? 'a storage' : undefined));
}
