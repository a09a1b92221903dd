/**
 * A PyTorch state dict in torch's legacy format (`torch.save(…, _use_new_zipfile_serialization=False)`,
 * the default before torch 1.6): five pickles back to back (the magic number
 * 0x1950a86a20f9469cfc6c, the protocol version 1001, sys_info, the state dict, the list of storage
 * keys), then for each key of that list, in its order, an 8-byte little-endian element count and
 * the storage's bytes. torch writes those bytes little-endian on any machine (sys_info's
 * `little_endian` only records the writer's), so they are read little-endian.
 */
import { InputError } from '../../errors.js';
import { createByteBudget, quote, type WeightLoadOptions } from '../decode-array.js';
import type { WeightFile, WeightSource } from '../weight-file.js';
import { pickStateDict, pythonType, stateDictArrays, tensorsOf } from './state-dict.js';
import type { StorageToken, TensorToken } from './torch-globals.js';
import { createTorchUnpickler } from './torch-pickle.js';

const PROTOCOL_VERSION = 1001;

/** LONG1 of 10 bytes, 0x1950a86a20f9469cfc6c little-endian, then STOP. */
const MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

/**
 * The length of the magic-number pickle the file starts with (protocol 2 to 5, framed from 4 on),
 * or undefined when it does not start with one. (pickleparser cannot read a 10-byte LONG1.)
 */
function magicLength(bytes: Uint8Array): number | undefined {
  if (bytes[0] !== 0x80 || !(bytes[1] >= 2 && bytes[1] <= 5)) return undefined;
  const at = bytes[2] === 0x95 ? 11 : 2; // FRAME and its 8-byte length
  return MAGIC.every((byte, i) => bytes[at + i] === byte) ? at + MAGIC.length : undefined;
}

/** True when the bytes start with the legacy format's magic-number pickle. */
export function isTorchLegacy(bytes: Uint8Array): boolean {
  return magicLength(bytes) !== undefined;
}

/** Reads the float tensors of a state dict saved in torch's legacy format. */
export async function readTorchLegacy(source: WeightSource, options: WeightLoadOptions = {}): Promise<WeightFile> {
  const { bytes, file } = source;
  const magic = magicLength(bytes);
  if (magic === undefined) throw new InputError(file, 'not a PyTorch legacy file, expected the magic number 0x1950a86a20f9469cfc6c as its first pickle');
  const budget = createByteBudget(file, options);
  const unpickler = createTorchUnpickler(bytes, file, budget, 6);
  unpickler.skip(magic);
  const version = unpickler.loadPlain();
  if (version !== PROTOCOL_VERSION) {
    const got = typeof version === 'number' ? String(version) : pythonType(version);
    throw new InputError(file, `unsupported legacy protocol version ${got}, expected ${PROTOCOL_VERSION}`);
  }
  const sysInfo = unpickler.loadPlain();
  if (!(sysInfo instanceof Map)) throw new InputError(file, `expected the sys_info dict as the third pickle, got ${pythonType(sysInfo)}`);
  const { dict, nestedKey } = pickStateDict(unpickler.loadStateDict(), file);
  const keys = unpickler.loadPlain();
  const tensors = tensorsOf(dict, file);
  const chunks = readChunks(bytes, unpickler.position, keys, unpickler.storages, users(tensors), file);
  const read = async (storage: StorageToken) => chunks.get(storage.key);
  const arrays = await stateDictArrays(tensors, dict, read, budget, true, file);
  const metadata: Record<string, string> = { protocol_version: String(PROTOCOL_VERSION) };
  const littleEndian: unknown = sysInfo.get('little_endian');
  if (typeof littleEndian === 'boolean') metadata.little_endian = String(littleEndian);
  if (nestedKey !== undefined) metadata.state_dict_key = nestedKey;
  return { format: 'torch-legacy', arrays, matrices: 'out-in', metadata };
}

/** The first tensor using each storage, to name storages in messages. */
function users(tensors: ReadonlyMap<string, TensorToken>): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, tensor] of tensors) if (!names.has(tensor.storage.key)) names.set(tensor.storage.key, name);
  return names;
}

/**
 * The storages' bytes (views on `bytes`) from `start` on, in the order of `keys`: every key a
 * declared storage, once; each count equal to the storage's declared numel, its bytes inside the
 * file; every declared storage present, nothing after the last.
 */
function readChunks(
  bytes: Uint8Array, start: number, keys: unknown, storages: ReadonlyMap<string, StorageToken>, names: ReadonlyMap<string, string>, file: string,
): Map<string, Uint8Array> {
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
    throw new InputError(file, `expected the list of storage keys as the fifth pickle, got ${pythonType(keys)}`);
  }
  const label = (key: string) => (names.has(key) ? `${quote(key)} (${names.get(key)})` : quote(key));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks = new Map<string, Uint8Array>();
  let at = start;
  for (const key of keys as string[]) {
    const storage = storages.get(key);
    if (storage === undefined) throw new InputError(file, `the list of storages names ${quote(key)}, which the state dict does not declare`);
    if (chunks.has(key)) throw new InputError(file, `the list of storages names ${quote(key)} twice`);
    if (bytes.length - at < 8) {
      throw new InputError(file, `truncated: storage ${label(key)} has no element count at byte ${at}, the file ends at byte ${bytes.length}`);
    }
    const count = view.getUint32(at + 4, true) * 2 ** 32 + view.getUint32(at, true);
    if (count !== storage.numel) {
      throw new InputError(file, `storage ${label(key)} holds ${count} elements at byte ${at}, expected the ${storage.numel} its persistent id declares`);
    }
    const length = storage.numel * storage.type.itemSize;
    if (length > bytes.length - at - 8) {
      throw new InputError(file, `truncated: storage ${label(key)} needs ${length} bytes at byte ${at + 8}, the file has ${bytes.length - at - 8} left`);
    }
    chunks.set(key, bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  for (const key of storages.keys()) {
    if (!chunks.has(key)) throw new InputError(file, `storage ${label(key)} is not in the file's list of storages`);
  }
  if (at !== bytes.length) throw new InputError(file, `${bytes.length - at} bytes after the last storage, at byte ${at}, belong to nothing`);
  return chunks;
}
