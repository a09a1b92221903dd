import { basename } from 'node:path';
import StreamZip from 'node-stream-zip';
import { InputError } from '../errors.js';
import { DEFAULT_MAX_BYTES, createByteBudget, quote, type WeightLoadOptions } from './decode-array.js';
import type { WeightArrays } from './nd-array.js';
import { decodeNpy } from './npy.js';
import { describeReadError } from './read-weight-file.js';

/**
 * Reads an .npz archive (`np.savez`, stored, or `np.savez_compressed`, deflated) of .npy float
 * arrays. Keys are the entry names without `.npy`, in archive order. Entries whose declared
 * uncompressed sizes take the archive over `maxBytes` are refused before anything is inflated, and
 * inflating stops at the declared size, so a zip bomb cannot grow past it.
 */
export async function loadNpzWeights(path: string, options: WeightLoadOptions = {}): Promise<WeightArrays> {
  const file = basename(path);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const zip = new StreamZip.async({ file: path });
  try {
    const entries = Object.values(await readEntries(zip, file)).filter((entry) => !entry.isDirectory);
    if (entries.length === 0) throw new InputError(file, 'the .npz archive holds no arrays');
    let total = 0;
    for (const entry of entries) {
      if (!entry.name.endsWith('.npy')) {
        throw new InputError(file, `entry ${quote(entry.name)} is not a .npy array, expected an .npz of .npy files`);
      }
      total += entry.size;
      if (total > maxBytes) {
        throw new InputError(file, `entry ${quote(entry.name)} takes the archive to ${total} bytes uncompressed, over the limit of ${maxBytes} bytes`);
      }
    }
    const claim = createByteBudget(file, options);
    const weights: WeightArrays = new Map();
    for (const entry of entries) {
      const name = entry.name.slice(0, -'.npy'.length);
      weights.set(name, decodeNpy(await readEntry(zip, entry, file), file, name, claim));
    }
    return weights;
  } finally {
    await zip.close().catch(() => undefined);
  }
}

async function readEntries(zip: StreamZip.StreamZipAsync, file: string): Promise<Record<string, StreamZip.ZipEntry>> {
  try {
    return await zip.entries();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw new InputError(file, `cannot read the weight file, ${describeReadError(error)}`);
    throw new InputError(file, `not a readable .npz (zip) archive, ${(error as Error).message}`);
  }
}

/** Inflates one entry into a buffer of its declared size, refusing more or fewer bytes. */
async function readEntry(zip: StreamZip.StreamZipAsync, entry: StreamZip.ZipEntry, file: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(entry.size);
  let length = 0;
  try {
    const stream = await zip.stream(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (length + chunk.length > entry.size) {
        throw new InputError(file, `entry ${quote(entry.name)} inflates past its declared ${entry.size} bytes`);
      }
      bytes.set(chunk, length);
      length += chunk.length;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `entry ${quote(entry.name)} is corrupt, ${(error as Error).message}`);
  }
  if (length !== entry.size) {
    throw new InputError(file, `entry ${quote(entry.name)} is truncated, expected ${entry.size} bytes, got ${length}`);
  }
  return bytes;
}
