/**
 * A preset over a file that names its arrays its own way: the book's presets name W1, b1 …, a torch
 * state dict of the same network names them `conv1.weight`, `fc1.bias` …. When the file lacks the
 * book's names, the preset's layers with weights take the file's layers (`parameterGroups`) in order,
 * each checked to be of the same kind (filters for a convolution, a matrix for an affine layer),
 * its matrices transposed where the file stores them out × in.
 */
import { InputError } from '../errors.js';
import { formatShape } from '../weights/decode-array.js';
import type { WeightArrays } from '../weights/nd-array.js';
import type { LayerSpec, ModelSpec } from './model-spec.js';
import { parameterGroups } from './parameter-groups.js';

export function bindPreset(spec: ModelSpec, arrays: WeightArrays, file: string, matrices: 'in-out' | 'out-in'): ModelSpec {
  const withWeights = spec.layers.filter((layer) => layer.type === 'affine' || layer.type === 'convolution');
  if (withWeights.every((layer) => 'W' in layer && arrays.has(layer.W))) return spec;
  const groups = parameterGroups(arrays, file);
  if (groups.length !== withWeights.length) {
    throw new InputError(file, `model ${spec.name} has ${withWeights.length} layers with weights, the file ${groups.length} (${groups.map((g) => g.prefix || g.weights).join(', ')})`);
  }
  let next = 0;
  const layers = spec.layers.map((layer): LayerSpec => {
    if (layer.type !== 'affine' && layer.type !== 'convolution') return layer;
    const group = groups[next++];
    const rank = layer.type === 'affine' ? 2 : 4;
    if (group.rank !== rank) {
      throw new InputError(file, `model ${spec.name}, layer ${layer.type} ${layer.W} needs a ${rank}-D array, the file's layer ${next} has ${group.weights} ${formatShape(arrays.get(group.weights)!.shape)}`);
    }
    const b = group.bias === undefined ? {} : { b: group.bias };
    return layer.type === 'affine'
      ? { type: 'affine', W: group.weights, ...b, ...(matrices === 'out-in' ? { transpose: true } : {}) }
      : { type: 'convolution', W: group.weights, ...b, stride: layer.stride, pad: layer.pad };
  });
  return { ...spec, layers };
}
