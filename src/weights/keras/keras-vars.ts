/**
 * Where a Keras HDF5 file keeps each layer's variables. Keras 3 (`model.weights.h5` of a `.keras`,
 * `.weights.h5`) names its groups by class (`layers/dense_1/vars/0`), so a layer is found by the
 * `name` attribute of its `vars` group, never by guessing the numbering. The legacy `.h5` keeps
 * `model_weights/<layer>/…` with a `weight_names` attribute that gives the order (kernel, then
 * bias: the datasets themselves list alphabetically). Optimizer state is never looked at.
 */
import { InputError } from '../../errors.js';
import { quote, type ByteBudget } from '../decode-array.js';
import type { NdArray, WeightArrays } from '../nd-array.js';
import type { Hdf5Dataset, Hdf5File, Hdf5Group } from './hdf5.js';
import type { LayerWeights, StoredVar } from './keras-layers.js';

const FLOAT = /^[<>=|]?f(2|4|8)$/;

/** A Keras 3 layer's vars group, with the layer name from its attribute. */
interface VarsGroup {
  readonly layer: string;
  readonly path: string;
  readonly group: Hdf5Group;
}

/** The Keras 3 layout: layers/<class>[_n]/vars, each group named by its `name` attribute. */
export function kerasVars(h5: Hdf5File, file: string, what: string, budget: ByteBudget): LayerWeights {
  const byLayer = new Map<string, VarsGroup>();
  for (const vars of varsGroups(h5, file, what)) {
    if (byLayer.has(vars.layer)) throw new InputError(file, `${what} has two weight groups for layer ${quote(vars.layer)}: ${byLayer.get(vars.layer)?.path} and ${vars.path}`);
    byLayer.set(vars.layer, vars);
  }
  return {
    vars: (layer) => {
      const found = byLayer.get(layer);
      return found && numberedVars(h5, found, file, budget);
    },
    missing: (layer) => `${what} has no layers/…/vars group whose name attribute is ${quote(layer)}`,
  };
}

/**
 * The arrays of a `.weights.h5` without a model: in layer order, then vars order, named by the
 * layer's own name (`fc1/vars/0`). The layer order is that of the groups' names with their
 * numbers compared as numbers (dense, dense_1, …, dense_10: Keras numbers layers as it makes
 * them), since HDF5 lists groups alphabetically. Float data only: counters are left out.
 */
export function listKerasArrays(h5: Hdf5File, file: string, what: string, budget: ByteBudget): WeightArrays {
  const arrays: WeightArrays = new Map();
  const groups = varsGroups(h5, file, what).sort((a, b) => naturalCompare(a.path, b.path));
  for (const vars of groups) {
    for (const stored of numberedVars(h5, vars, file, budget)) {
      if (stored.shape === undefined) continue;
      const name = `${vars.layer}/vars/${stored.path.slice(stored.path.lastIndexOf('/') + 1)}`;
      if (arrays.has(name)) throw new InputError(file, `${what} holds ${quote(name)} twice`);
      arrays.set(name, stored.read());
    }
  }
  if (arrays.size === 0) throw new InputError(file, `${what} holds Keras weight groups (layers/…/vars) but no float weights`);
  return arrays;
}

function varsGroups(h5: Hdf5File, file: string, what: string): VarsGroup[] {
  const layers = h5.root.group('layers');
  if (layers === undefined) throw new InputError(file, `${what} has no 'layers' group of Keras weights`);
  const found: VarsGroup[] = [];
  for (const key of layers.names()) {
    const vars = layers.group(key)?.group('vars');
    if (vars === undefined) continue;
    const name = vars.attribute('name');
    const layer = typeof name === 'string' && name !== '' ? name : key;
    found.push({ layer, path: vars.path, group: vars });
  }
  return found;
}

/** vars/0, vars/1, …: every member must be a dataset named by its place, none missing. */
function numberedVars(h5: Hdf5File, vars: VarsGroup, file: string, budget: ByteBudget): StoredVar[] {
  const names = vars.group.names();
  const bad = names.find((name) => !/^(0|[1-9]\d{0,5})$/.test(name));
  if (bad !== undefined) throw new InputError(file, `${vars.path} holds ${quote(bad)}, expected only variables named 0, 1, 2 …`);
  const count = names.length;
  const stored: StoredVar[] = [];
  for (let i = 0; i < count; i++) {
    const path = `${vars.path}/${i}`;
    const dataset = names.includes(String(i)) ? vars.group.dataset(String(i)) : undefined;
    if (dataset === undefined) throw new InputError(file, `${path} is missing or not a dataset (${vars.path} holds ${count} variables)`);
    stored.push(storedVar(h5, dataset, path, budget));
  }
  return stored;
}

function storedVar(h5: Hdf5File, dataset: Hdf5Dataset, path: string, budget: ByteBudget): StoredVar {
  return {
    path,
    dtype: dataset.dtype,
    shape: FLOAT.test(dataset.dtype) ? dataset.shape : undefined,
    read: (): NdArray => h5.readFloat(dataset, path, budget),
  };
}

/** The legacy layout: model_weights/<layer>, its variables listed in order by `weight_names`. */
export function legacyVars(h5: Hdf5File, file: string, budget: ByteBudget): LayerWeights {
  const weights = h5.root.group('model_weights');
  if (weights === undefined) throw new InputError(file, "has a model_config but no 'model_weights' group");
  return {
    vars: (layer) => {
      const group = weights.group(layer);
      if (group === undefined) return undefined;
      const names = group.attribute('weight_names');
      const list = typeof names === 'string' ? [names] : names;
      if (!Array.isArray(list) || !list.every((name) => typeof name === 'string')) {
        throw new InputError(file, `model_weights/${layer} has no list of weight_names`);
      }
      return list.map((name: string) => {
        const path = `model_weights/${layer}/${name}`;
        const dataset = findDataset(group, name);
        if (dataset === undefined) throw new InputError(file, `weight_names of model_weights/${layer} lists ${quote(name)}, which is not a dataset of the file`);
        return storedVar(h5, dataset, path, budget);
      });
    },
    missing: (layer) => `the file has no group model_weights/${layer}`,
  };
}

function findDataset(group: Hdf5Group, path: string): Hdf5Dataset | undefined {
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.length === 0 || parts.length > 16) return undefined;
  let at: Hdf5Group | undefined = group;
  for (const part of parts.slice(0, -1)) at = at?.group(part);
  return at?.dataset(parts[parts.length - 1]);
}

/** Compares names with their runs of digits as numbers: dense_2 before dense_10. */
function naturalCompare(a: string, b: string): number {
  const split = (s: string) => s.split(/(\d+)/);
  const [x, y] = [split(a), split(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    return i % 2 === 1 ? Number(x[i]) - Number(y[i]) || x[i].localeCompare(y[i]) : x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}
