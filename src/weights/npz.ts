import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { DEFAULT_MAX_BYTES, createByteBudget, quote, type WeightLoadOptions } from './decode-array.js';
import type { WeightArrays } from './nd-array.js';
import { decodeNpy } from './npy.js';
import { openZipArchive } from './zip-archive.js';

/**
 * Reads an .npz archive (`np.savez`, stored, or `np.savez_compressed`, deflated) of .npy float
 * arrays. Keys are the entry names without `.npy`, in archive order. Entries whose declared
 * uncompressed sizes take the archive over `maxBytes` are refused before anything is inflated, and
 * inflating stops at the declared size, so a zip bomb cannot grow past it.
 */
export async function loadNpzWeights(path: string, options: WeightLoadOptions = {}): Promise<WeightArrays> {
  const file = basename(path);
  const zip = await openZipArchive(path, file, options.maxBytes ?? DEFAULT_MAX_BYTES, '.npz (zip) archive');
  try {
    if (zip.entries.length === 0) throw new InputError(file, 'the .npz archive holds no arrays');
    const stray = zip.entries.find((entry) => !entry.name.endsWith('.npy'));
    if (stray !== undefined) throw new InputError(file, `entry ${quote(stray.name)} is not a .npy array, expected an .npz of .npy files`);
    const claim = createByteBudget(file, options);
    const weights: WeightArrays = new Map();
    for (const entry of zip.entries) {
      const name = entry.name.slice(0, -'.npy'.length);
      weights.set(name, decodeNpy(await zip.read(entry), file, name, claim));
    }
    return weights;
  } finally {
    await zip.close();
  }
}
