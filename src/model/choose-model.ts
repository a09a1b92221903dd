import { InputError, UsageError } from '../errors.js';
import type { WeightFile } from '../weights/weight-file.js';
import { bindPreset } from './bind-preset.js';
import { inferMlpSpec, type HiddenActivation } from './infer-mlp-spec.js';
import type { ModelSpec } from './model-spec.js';

/** The model to build: the file's own (ONNX, Keras), a preset or JSON model over the file, or an inferred MLP. */
export function chooseModelSpec(described: { readonly spec: ModelSpec; readonly source: string } | undefined, weights: WeightFile, file: string, activation?: HiddenActivation): ModelSpec {
  if (weights.spec !== undefined) {
    if (described !== undefined) throw new UsageError(`--model: ${file} describes its own network (${weights.format}); --model is for weight files without one`);
    if (activation !== undefined) throw new UsageError(`--activation: ${file} describes its own network (${weights.format}), activations included`);
    return weights.spec;
  }
  if (weights.format === 'keras-weights-h5' && [...weights.arrays.values()].some((array) => array.shape.length > 2)) {
    // Channels-last kernels need the architecture to be reordered (HWIO filters, the Dense after a Flatten).
    throw new InputError(file, 'a .weights.h5 of a convolutional network holds no architecture to read its channels-last weights by; give the .keras file (or the legacy .h5) that holds it');
  }
  if (described === undefined) return inferMlpSpec(weights.arrays, file, activation, weights.matrices);
  return described.source === 'preset' ? bindPreset(described.spec, weights.arrays, file, weights.matrices) : described.spec;
}

