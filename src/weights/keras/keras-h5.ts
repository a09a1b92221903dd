/**
 * Keras HDF5 files that are not a `.keras` zip: the legacy `model.save('x.h5')` (a root
 * `model_config` attribute, weights under `model_weights/<layer>/…`) and `save_weights('x.weights.h5')`
 * (the `layers/<class>[_n]/vars/N` layout of a `.keras`, with no architecture: the arrays only,
 * named `<layer>/vars/N` after each vars group's `name` attribute, in layer then vars order).
 */
import { InputError } from '../../errors.js';
import { createByteBudget, quote, type WeightLoadOptions } from '../decode-array.js';
import type { WeightFile, WeightSource } from '../weight-file.js';
import { openHdf5 } from './hdf5.js';
import { parseKerasConfig } from './keras-config.js';
import { kerasSpec } from './keras-layers.js';
import { kerasMetadata } from './keras-metadata.js';
import { legacyVars, listKerasArrays } from './keras-vars.js';

export { isHdf5 } from './hdf5.js';

export async function readKerasH5(source: WeightSource, options: WeightLoadOptions & { readonly signal?: AbortSignal } = {}): Promise<WeightFile> {
  const { bytes, file } = source;
  // Optimizer state (optimizer_weights, optimizer) is never read: only the weights' float values are.
  const h5 = await openHdf5(bytes, file, undefined, { maxBytes: options.maxBytes, dataUnder: ['model_weights', 'layers'], signal: options.signal });
  const budget = createByteBudget(file, options);
  const root = h5.root;
  const config = root.attribute('model_config');
  if (config !== undefined) {
    if (typeof config !== 'string') throw new InputError(file, 'the model_config attribute is not a JSON string');
    const model = parseKerasConfig(config, file, 'the model_config attribute');
    const { spec, arrays } = kerasSpec(model, legacyVars(h5, file, budget), file);
    return { format: 'keras-h5', arrays, spec, matrices: 'in-out', metadata: kerasMetadata((key) => root.attribute(key), model.name) };
  }
  if (root.group('layers') !== undefined) {
    const arrays = listKerasArrays(h5, file, 'the file', budget);
    const name = root.group('vars')?.attribute('name');
    return { format: 'keras-weights-h5', arrays, matrices: 'in-out', metadata: kerasMetadata((key) => root.attribute(key), typeof name === 'string' ? name : undefined) };
  }
  const names = root.names();
  const holds = names.length === 0 ? 'nothing at its root' : `${names.slice(0, 8).map(quote).join(', ')}${names.length > 8 ? ` … and ${names.length - 8} more` : ''} at its root`;
  throw new InputError(file, `an HDF5 file that is neither a Keras model (no model_config attribute) nor Keras weights (no 'layers' group): it holds ${holds}`);
}
