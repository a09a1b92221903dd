import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import { InputError } from '../errors.js';
import { DEFAULT_MAX_BYTES, type WeightLoadOptions } from './decode-array.js';
import type { WeightArrays } from './nd-array.js';
import { loadNpzWeights } from './npz.js';
import { parsePickleWeights } from './pickle.js';
import { isStream, readWeightFile } from './read-weight-file.js';
import type { WeightFormat } from '../types.js';


/** The arrays of a weight file, with the file's sha256 (hex) to record which weights ran. */
export interface LoadedWeights {
  readonly arrays: WeightArrays;
  readonly sha256: string;
  readonly format: WeightFormat;
}

/**
 * Loads a weight file: a pickle of a dict of numpy arrays (.pkl, .pickle) or an .npz archive.
 * The format is told by the first bytes (pickle 0x80, zip PK\x03\x04), the extension only
 * explains what was expected when they match neither. Files over `maxBytes` are refused unread.
 * `signal` stops the read of the file (a FIFO's included) and is checked between the steps.
 */
export async function loadWeights(path: string, options: WeightLoadOptions & { readonly signal?: AbortSignal } = {}): Promise<LoadedWeights> {
  const file = basename(path);
  const bytes = await readWeightFile(path, file, options.maxBytes ?? DEFAULT_MAX_BYTES, options.signal);
  options.signal?.throwIfAborted();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const format = detectFormat(bytes, file, extname(path).toLowerCase());
  if (format === 'npz' && (await isStream(path))) {
    throw new InputError(path, 'an .npz archive cannot be read from a pipe or a device; name the file');
  }
  const arrays = format === 'pickle' ? parsePickleWeights(bytes, file, options) : await loadNpzWeights(path, options);
  options.signal?.throwIfAborted();
  return { arrays, sha256, format };
}

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((byte, i) => bytes[i] === byte);

function detectFormat(bytes: Uint8Array, file: string, extension: string): WeightFormat {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'npz';
  if (bytes[0] === 0x80 || extension === '.pkl' || extension === '.pickle') return 'pickle';
  if (startsWith(bytes, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) {
    throw new InputError(file, 'a single .npy array, expected a pickle or an .npz of named arrays (np.savez)');
  }
  if (extension === '.npz') throw new InputError(file, 'not an .npz archive, expected a zip file (PK\\x03\\x04)');
  throw new InputError(file, 'unknown weight file format, expected a pickle (.pkl) or an .npz archive');
}
