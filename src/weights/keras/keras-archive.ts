/**
 * Keras 3's `.keras`: a zip of `config.json` (the model), `model.weights.h5` (its variables) and
 * `metadata.json` (Keras version, date). The model comes from the config, its arrays from the
 * HDF5, matched layer by layer through the vars groups' `name` attributes.
 */
import { InputError } from '../../errors.js';
import { MAX_MODEL_BYTES, parseModelJson } from '../../model/model-json.js';
import { createByteBudget, DEFAULT_MAX_BYTES, quote, type WeightLoadOptions } from '../decode-array.js';
import type { WeightFile, WeightSource } from '../weight-file.js';
import { openZipArchive, type ZipArchive } from '../zip-archive.js';
import { openHdf5 } from './hdf5.js';
import { isRecord, parseKerasConfig } from './keras-config.js';
import { kerasSpec } from './keras-layers.js';
import { kerasMetadata } from './keras-metadata.js';
import { kerasVars } from './keras-vars.js';

/** What a reader is given: the whole file, its path (to re-open the zip), and its name for messages. */
/** metadata.json is a few keys; far less than this. */
const MAX_METADATA_BYTES = 64 * 1024;
const WEIGHTS = 'model.weights.h5';

export async function readKerasArchive(source: WeightSource, options: WeightLoadOptions & { readonly signal?: AbortSignal } = {}): Promise<WeightFile> {
  const { path, file } = source;
  const zip = await openZipArchive(path, file, options.maxBytes ?? DEFAULT_MAX_BYTES, 'Keras (.keras) archive');
  try {
    const model = parseKerasConfig(await readText(zip, 'config.json', MAX_MODEL_BYTES, file), file, 'config.json');
    const weights = zip.entry(WEIGHTS);
    if (weights === undefined) throw new InputError(file, `a .keras archive without ${WEIGHTS} (it holds ${entryList(zip)})`);
    const h5 = await openHdf5(await zip.read(weights), file, WEIGHTS, { maxBytes: options.maxBytes, dataUnder: ['layers'], signal: options.signal });
    const budget = createByteBudget(file, options);
    const { spec, arrays } = kerasSpec(model, kerasVars(h5, file, WEIGHTS, budget), file);
    const about = zip.entry('metadata.json') === undefined ? {} : metadataJson(await readText(zip, 'metadata.json', MAX_METADATA_BYTES, file), file);
    return { format: 'keras', arrays, spec, matrices: 'in-out', metadata: kerasMetadata((key) => about[key], model.name) };
  } finally {
    await zip.close();
  }
}

/** A text entry of at most `limit` bytes (checked on its declared size, before it is inflated), as UTF-8. */
async function readText(zip: ZipArchive, name: string, limit: number, file: string): Promise<string> {
  const entry = zip.entry(name);
  if (entry === undefined) throw new InputError(file, `a .keras archive without ${name} (it holds ${entryList(zip)})`);
  if (entry.size > limit) throw new InputError(file, `${name} holds ${entry.size} bytes, more than the limit of ${limit}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await zip.read(entry));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `${name} is not UTF-8 text`);
  }
}

function metadataJson(text: string, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = parseModelJson(text, file);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(file, `metadata.json: ${error.problem}`);
    throw error;
  }
  if (!isRecord(json)) throw new InputError(file, 'metadata.json is not a JSON object');
  return json;
}

function entryList(zip: ZipArchive): string {
  const names = zip.entries.slice(0, 5).map((entry) => quote(entry.name));
  return names.length === 0 ? 'no files' : `${names.join(', ')}${zip.entries.length > 5 ? ` … and ${zip.entries.length - 5} more` : ''}`;
}
