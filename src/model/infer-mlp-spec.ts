import { InputError } from '../errors.js';
import type { WeightArrays } from '../weights/nd-array.js';
import { formatShape } from '../weights/decode-array.js';
import type { LayerSpec, ModelSpec } from './model-spec.js';
import { parameterGroups } from './parameter-groups.js';

export type HiddenActivation = 'sigmoid' | 'relu' | 'tanh';

/**
 * The model of the book's chapter 3 read off the array names: W1, b1 … Wn, bn of 2-D matrices give
 * affine layers in order, the hidden ones followed by `activation`, the last by softmax. Names are
 * checked here (pairs, no gaps, matrices); shapes are checked by `buildNetwork`. A file without the
 * book's names (a torch state dict, safetensors, a Keras `.weights.h5`) gives its layers in the
 * order it names them (`parameterGroups`), each matrix stored as `matrices` says.
 */
export function inferMlpSpec(arrays: WeightArrays, file: string, activation: HiddenActivation = 'sigmoid', matrices: 'in-out' | 'out-in' = 'in-out'): ModelSpec {
  if (!arrays.has('W1') && !arrays.has('b1') && arrays.size > 0) return inferFromGroups(arrays, file, activation, matrices);
  const depth = countAffineLayers(arrays, file);
  const layers: LayerSpec[] = [];
  for (let n = 1; n <= depth; n++) {
    const W = arrays.get(`W${n}`)!;
    if (W.shape.length !== 2) {
      const hint = W.shape.length === 4 ? ': filters of a convolutional network, give its model with --model (simple-convnet, deep-convnet or a JSON file)' : '';
      throw new InputError(file, `W${n} must be a 2-D matrix to infer an MLP, got shape ${formatShape(W.shape)}${hint}`);
    }
    layers.push({ type: 'affine', W: `W${n}`, b: `b${n}` }, { type: n === depth ? 'softmax' : activation });
  }
  return { name: `mlp (inferred, ${activation})`, layers };
}

function countAffineLayers(arrays: WeightArrays, file: string): number {
  let depth = 0;
  while (arrays.has(`W${depth + 1}`) || arrays.has(`b${depth + 1}`)) {
    depth++;
    if (!arrays.has(`W${depth}`)) throw new InputError(file, `b${depth} has no matching W${depth}`);
    if (!arrays.has(`b${depth}`)) throw new InputError(file, `W${depth} has no matching b${depth}`);
  }
  if (depth === 0) {
    const names = [...arrays.keys()].join(', ') || 'nothing';
    throw new InputError(file, `no layers found: expected arrays W1, b1, W2, b2 …, got ${names}`);
  }
  const gap = [...arrays.keys()].find((name) => {
    const m = /^[Wb](\d+)$/.exec(name);
    return m !== null && Number(m[1]) > depth;
  });
  if (gap !== undefined) {
    throw new InputError(file, `layer numbering has a gap: ${gap} found but W${depth + 1} and b${depth + 1} are missing`);
  }
  return depth;
}

function inferFromGroups(arrays: WeightArrays, file: string, activation: HiddenActivation, matrices: 'in-out' | 'out-in'): ModelSpec {
  const groups = parameterGroups(arrays, file);
  const layers: LayerSpec[] = [];
  groups.forEach((group, n) => {
    if (group.rank !== 2) {
      const shape = formatShape(arrays.get(group.weights)!.shape);
      const hint = group.rank === 4 ? ': filters of a convolutional network, give its model with --model (simple-convnet, deep-convnet or a JSON file)' : '';
      throw new InputError(file, `${group.weights} must be a 2-D matrix to infer an MLP, got shape ${shape}${hint}`);
    }
    const affine: LayerSpec = { type: 'affine', W: group.weights, ...(group.bias === undefined ? {} : { b: group.bias }), ...(matrices === 'out-in' ? { transpose: true } : {}) };
    layers.push(affine, { type: n === groups.length - 1 ? 'softmax' : activation });
  });
  return { name: `mlp (inferred, ${activation})`, layers };
}
