import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { DEFAULT_MAX_BYTES, type WeightLoadOptions } from './decode-array.js';
import { contentKind, zipKind } from './detect-format.js';
import { parsePickleWeights } from './pickle.js';
import { isStream, readWeightFile } from './read-weight-file.js';
import type { WeightFile, WeightSource } from './weight-file.js';

/** A weight file's arrays and what it says of itself, with its sha256 (hex) to record which weights ran. */
export interface LoadedWeights extends WeightFile {
  readonly sha256: string;
}

/**
 * Loads a weight file of any format this tool reads, told by its content (`detect-format.ts`), never
 * by its name. Files over `maxBytes` are refused unread. A zip archive (an .npz, a PyTorch zip, a
 * `.keras`) is read by its central directory, so not from a pipe. `signal` stops the read of the
 * file (a FIFO's included) and is checked between the steps.
 */
export async function loadWeights(path: string, options: WeightLoadOptions & { readonly signal?: AbortSignal } = {}): Promise<LoadedWeights> {
  const file = basename(path);
  const bytes = await readWeightFile(path, file, options.maxBytes ?? DEFAULT_MAX_BYTES, options.signal);
  options.signal?.throwIfAborted();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const source: WeightSource = { bytes, path, file };
  const loaded = await readByContent(source, options);
  options.signal?.throwIfAborted();
  return { ...loaded, sha256 };
}

// Every reader but the pickle's (the default weights) is imported when a file needs it: building
// the protobuf schema, loading the HDF5 library or the zip reader cost a pickle run start-up time
// it has no use for.
async function readByContent(source: WeightSource, options: WeightLoadOptions & { readonly signal?: AbortSignal }): Promise<WeightFile> {
  const { bytes, path, file } = source;
  switch (contentKind(bytes, file)) {
    case 'pickle':
      return { format: 'pickle', arrays: parsePickleWeights(bytes, file, options), matrices: 'in-out', metadata: {} };
    case 'torch-legacy':
      return (await import('./torch/torch-legacy.js')).readTorchLegacy(source, options);
    case 'hdf5':
      return (await import('./keras/keras-h5.js')).readKerasH5(source, options);
    case 'safetensors':
      return (await import('./safetensors.js')).readSafetensors(source, options);
    case 'onnx':
      return (await import('./onnx/read-onnx.js')).readOnnx(source, options);
    case 'zip': {
      if (await isStream(path)) throw new InputError(path, 'a zip archive (an .npz, a PyTorch zip, a .keras) cannot be read from a pipe or a device; name the file');
      switch (await zipKindOf(path, file, options)) {
        case 'npz':
          return { format: 'npz', arrays: await (await import('./npz.js')).loadNpzWeights(path, options), matrices: 'in-out', metadata: {} };
        case 'torch-zip':
          return (await import('./torch/torch-zip.js')).readTorchZip(source, options);
        case 'keras':
          return (await import('./keras/keras-archive.js')).readKerasArchive(source, options);
      }
    }
  }
}

async function zipKindOf(path: string, file: string, options: WeightLoadOptions): Promise<ReturnType<typeof zipKind>> {
  const zip = await (await import('./zip-archive.js')).openZipArchive(path, file, options.maxBytes ?? DEFAULT_MAX_BYTES, 'zip archive');
  try {
    return zipKind(zip.entries.map((entry) => entry.name), file);
  } finally {
    await zip.close();
  }
}
