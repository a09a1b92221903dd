/**
 * A PyTorch state dict in torch's zip format (`torch.save`, the default since torch 1.6): one top
 * folder named after the file's stem at save time, holding `data.pkl` (the state dict's pickle),
 * `data/<key>` (each storage's raw bytes), `byteorder` ('little' or 'big'; absent: little),
 * `.format_version` and `version`. Entries may be stored or deflated.
 */
import { InputError } from '../../errors.js';
import { DEFAULT_MAX_BYTES, createByteBudget, quote, type WeightLoadOptions } from '../decode-array.js';
import type { WeightFile, WeightSource } from '../weight-file.js';
import { openZipArchive, type ZipArchive } from '../zip-archive.js';
import { pickStateDict, stateDictArrays, tensorsOf, type ReadStorage } from './state-dict.js';
import { createTorchUnpickler } from './torch-pickle.js';

/** The bytes of the file, its path (re-opened as a zip) and its name for messages. */
/** Reads the float tensors of a state dict saved by `torch.save(model.state_dict(), path)`. */
export async function readTorchZip(source: WeightSource, options: WeightLoadOptions = {}): Promise<WeightFile> {
  const { path, file } = source;
  const zip = await openZipArchive(path, file, options.maxBytes ?? DEFAULT_MAX_BYTES, 'PyTorch (zip) file');
  try {
    const folder = topFolder(zip, file);
    const byteorder = await byteOrder(zip, `${folder}/byteorder`, file);
    const budget = createByteBudget(file, options);
    const unpickler = createTorchUnpickler(await zip.read(zip.entry(`${folder}/data.pkl`)!), file, budget, 5);
    const { dict, nestedKey } = pickStateDict(unpickler.loadStateDict(), file);
    const tensors = tensorsOf(dict, file);
    const arrays = await stateDictArrays(tensors, dict, storageReader(zip, folder, file), budget, byteorder === 'little', file);
    const metadata: Record<string, string> = { byteorder };
    const formatVersion = await smallText(zip, `${folder}/.format_version`);
    if (formatVersion !== undefined) metadata.format_version = formatVersion;
    const archiveVersion = await smallText(zip, `${folder}/version`);
    if (archiveVersion !== undefined) metadata.archive_version = archiveVersion;
    const alignment = await smallText(zip, `${folder}/.storage_alignment`);
    if (alignment !== undefined) metadata.storage_alignment = alignment;
    if (nestedKey !== undefined) metadata.state_dict_key = nestedKey;
    return { format: 'torch-zip', arrays, matrices: 'out-in', metadata };
  } finally {
    await zip.close();
  }
}

/** The one folder holding `data.pkl` (torch names it after the file's stem at save time). */
function topFolder(zip: ZipArchive, file: string): string {
  const folders = zip.entries.map((entry) => /^([^/]+)\/data\.pkl$/.exec(entry.name)?.[1]).filter((name) => name !== undefined);
  if (folders.length === 0) {
    const names = zip.entries.slice(0, 5).map((entry) => quote(entry.name)).join(', ');
    throw new InputError(file, `not a PyTorch zip, expected a <folder>/data.pkl entry, got ${names || 'no entries'}${zip.entries.length > 5 ? ', …' : ''}`);
  }
  if (folders.length > 1) {
    throw new InputError(file, `the zip holds ${folders.length} data.pkl entries (${folders.slice(0, 3).map((name) => quote(`${name}/data.pkl`)).join(', ')}), expected one state dict`);
  }
  return folders[0];
}

/** Each storage from its entry `<folder>/data/<key>`, read once, its size checked first. */
function storageReader(zip: ZipArchive, folder: string, file: string): ReadStorage {
  const read = new Map<string, Promise<Uint8Array>>();
  return async (storage, tensor, withBytes) => {
    const name = `${folder}/data/${storage.key}`;
    const entry = zip.entry(name);
    if (entry === undefined) throw new InputError(file, `${tensor}'s storage ${quote(storage.key)} has no entry ${quote(name)}`);
    const expected = storage.numel * storage.type.itemSize;
    if (entry.size !== expected) {
      throw new InputError(file, `entry ${quote(name)} holds ${entry.size} bytes, expected ${expected} for ${tensor}'s storage of ${storage.numel} ${storage.type.dtype} elements`);
    }
    if (!withBytes) return undefined;
    let bytes = read.get(storage.key);
    if (bytes === undefined) {
      bytes = zip.read(entry);
      read.set(storage.key, bytes);
    }
    return bytes;
  };
}

/** What the `byteorder` entry says the storages are in: 'little' when it is absent. */
async function byteOrder(zip: ZipArchive, name: string, file: string): Promise<'little' | 'big'> {
  const entry = zip.entry(name);
  if (entry === undefined) return 'little';
  const text = entry.size <= 16 ? Buffer.from(await zip.read(entry)).toString('latin1') : `${entry.size} bytes`;
  if (text !== 'little' && text !== 'big') throw new InputError(file, `entry ${quote(name)} says ${quote(text)}, expected 'little' or 'big'`);
  return text;
}

/** A short text entry (a version, the byte order), trimmed; undefined when absent or not short text. */
async function smallText(zip: ZipArchive, name: string): Promise<string | undefined> {
  const entry = zip.entry(name);
  if (entry === undefined || entry.size > 64) return undefined;
  const text = Buffer.from(await zip.read(entry)).toString('latin1').trim();
  return /^[\x20-\x7e]*$/.test(text) ? text : undefined;
}
