/**
 * The layers of a weight file that has no description, read off its array names and shapes: a
 * framework names a layer's arrays with one prefix (`fc1.weight` and `fc1.bias` in a torch state
 * dict, `layers/dense/vars/0` and `…/1` in a Keras `.weights.h5`), so each prefix, in the order the
 * file first names it, is one layer: its weights (the array of rank 2 or more) and its bias (rank 1).
 */
import { InputError } from '../errors.js';
import { formatShape } from '../weights/decode-array.js';
import type { WeightArrays } from '../weights/nd-array.js';

export interface ParameterGroup {
  readonly prefix: string;
  readonly weights: string;
  readonly rank: number;
  readonly bias?: string;
}

/** The prefix a name shares with its layer's other arrays: up to its last `.` or `/`. */
const prefixOf = (name: string): string => name.slice(0, Math.max(name.lastIndexOf('.'), name.lastIndexOf('/'), 0));

/** The file's arrays grouped into layers; a prefix with no weights, or two, is an error. */
export function parameterGroups(arrays: WeightArrays, file: string): ParameterGroup[] {
  const groups = new Map<string, string[]>();
  for (const name of arrays.keys()) {
    const prefix = prefixOf(name);
    groups.set(prefix, [...(groups.get(prefix) ?? []), name]);
  }
  return [...groups].map(([prefix, names]) => {
    const weights = names.filter((name) => arrays.get(name)!.shape.length >= 2);
    const biases = names.filter((name) => arrays.get(name)!.shape.length === 1);
    const layer = prefix === '' ? names.join(', ') : prefix;
    if (weights.length !== 1 || biases.length > 1 || weights.length + biases.length !== names.length) {
      const shapes = names.map((name) => `${name} ${formatShape(arrays.get(name)!.shape)}`).join(', ');
      throw new InputError(file, `cannot tell the layers apart: ${layer} holds ${shapes}, expected one weight array and at most one bias; describe the model with --model`);
    }
    return { prefix, weights: weights[0], rank: arrays.get(weights[0])!.shape.length, ...(biases.length === 1 ? { bias: biases[0] } : {}) };
  });
}
