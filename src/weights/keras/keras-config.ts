/**
 * A Keras model config (`config.json` of a `.keras`, the `model_config` attribute of a legacy
 * `.h5`) → the chain of layers it runs, with the shape of one input. Sequential models and
 * functional models whose every layer takes the previous one's output are chains; any other
 * graph (a branch, a merge, a layer called twice, a nested model) is refused, naming the layer.
 */
import { InputError } from '../../errors.js';
import { MAX_LAYERS } from '../../model/model-spec.js';
import { MAX_MODEL_BYTES, parseModelJson } from '../../model/model-json.js';
import { quote } from '../decode-array.js';

export interface KerasLayer {
  readonly className: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface KerasModel {
  readonly name: string;
  /** One input without the batch axis, as Keras holds it: [784], or channels-last [28, 28, 1] / [28, 28]. */
  readonly input: readonly number[];
  /** The layers after the input, in the order they run. */
  readonly layers: readonly KerasLayer[];
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses the config's text (`where`: 'config.json', 'the model_config attribute') within the model-JSON bounds. */
export function parseKerasConfig(text: string, file: string, where: string): KerasModel {
  if (text.length > MAX_MODEL_BYTES) {
    throw new InputError(file, `${where} holds ${text.length} characters, more than the limit of ${MAX_MODEL_BYTES} for a model`);
  }
  let json: unknown;
  try {
    json = parseModelJson(text, file);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(file, `${where}: ${error.problem}`);
    throw error;
  }
  return kerasModel(json, file, where);
}

function kerasModel(json: unknown, file: string, where: string): KerasModel {
  const fail = (problem: string): never => {
    throw new InputError(file, `${where}: ${problem}`);
  };
  if (!isRecord(json) || typeof json.class_name !== 'string') return fail('expected a Keras model config with "class_name" and "config"');
  const config = json.config;
  const className = json.class_name;
  if (className !== 'Sequential' && className !== 'Functional' && className !== 'Model') {
    return fail(`the model is a ${quote(className)}, expected a Sequential or a Functional model`);
  }
  // Keras 2.0's Sequential config was the bare list of layers.
  const body = Array.isArray(config) ? { layers: config } : config;
  if (!isRecord(body) || !Array.isArray(body.layers) || body.layers.length === 0) return fail('the model config has no "layers"');
  if (body.layers.length > MAX_LAYERS) fail(`the model lists ${body.layers.length} layers, more than the limit of ${MAX_LAYERS}`);
  const layers = body.layers.map((layer, i) => readLayer(layer, i, fail));
  const name = typeof body.name === 'string' ? body.name : typeof json.name === 'string' ? json.name : 'keras-model';
  if (className !== 'Sequential') checkChain(body, body.layers as Record<string, unknown>[], layers, fail);
  const first = layers[0];
  const declared = first.className === 'InputLayer'
    ? first.config.batch_shape ?? first.config.batch_input_shape ?? shapeOf(first.config.shape)
    : first.config.batch_shape ?? first.config.batch_input_shape ?? body.build_input_shape ?? (isRecord(json.build_config) ? json.build_config.input_shape : undefined);
  if (declared === undefined) fail('the model declares no input shape (no InputLayer, no batch_shape)');
  if (!Array.isArray(declared) || declared.length < 2 || !declared.slice(1).every((d) => Number.isSafeInteger(d) && d >= 1)) {
    fail(`the input shape ${JSON.stringify(declared)?.slice(0, 60)} is not a batch of fixed-size inputs`);
  }
  const input = (declared as number[]).slice(1);
  if (input.length > 3) fail(`the input has shape ${JSON.stringify(input)}, expected (784,), (28, 28) or (28, 28, 1)`);
  return { name, input, layers: first.className === 'InputLayer' ? layers.slice(1) : layers };
}

const shapeOf = (shape: unknown): unknown => (Array.isArray(shape) ? [null, ...shape] : undefined);

function readLayer(layer: unknown, i: number, fail: (problem: string) => never): KerasLayer {
  if (!isRecord(layer) || typeof layer.class_name !== 'string' || !isRecord(layer.config)) {
    return fail(`layer ${i + 1} is not a {"class_name", "config"} object`);
  }
  const config = layer.config;
  const name = typeof config.name === 'string' ? config.name : typeof layer.name === 'string' ? layer.name : fail(`layer ${i + 1} (${layer.class_name}) has no name`);
  if (layer.class_name === 'InputLayer' && i > 0) fail(`layer ${quote(name)} (InputLayer) is not the first layer`);
  return { className: layer.class_name, name, config };
}

/** A functional model must be a chain: one input, each layer called once on the previous layer's output. */
function checkChain(body: Record<string, unknown>, raw: Record<string, unknown>[], layers: KerasLayer[], fail: (problem: string) => never): void {
  const names = new Set<string>();
  for (const layer of layers) {
    if (names.has(layer.name)) fail(`two layers are named ${quote(layer.name)}`);
    names.add(layer.name);
  }
  if (layers[0].className !== 'InputLayer') fail(`the first layer ${quote(layers[0].name)} is a ${layers[0].className}, expected an InputLayer`);
  const ends = (key: string): string[] => tensorRefs(body[key], `"${key}"`, fail);
  const inputs = ends('input_layers');
  const outputs = ends('output_layers');
  if (inputs.length !== 1 || inputs[0] !== layers[0].name) fail(`the model takes ${inputs.map(quote).join(', ') || 'no input'}, expected the one input ${quote(layers[0].name)}`);
  const last = layers[layers.length - 1].name;
  if (outputs.length !== 1 || outputs[0] !== last) fail(`the model outputs ${outputs.map(quote).join(', ') || 'nothing'}, expected the one output of its last layer ${quote(last)}`);
  raw.forEach((layer, i) => {
    const nodes = layer.inbound_nodes ?? [];
    const at = `layer ${quote(layers[i].name)} (${layers[i].className})`;
    if (!Array.isArray(nodes)) return fail(`${at} has malformed "inbound_nodes"`);
    if (i === 0) {
      if (nodes.length > 0) fail(`${at} takes inputs, expected none`);
      return;
    }
    if (nodes.length !== 1) fail(`${at} is called ${nodes.length} times, expected once: the model is not a simple chain`);
    const sources = nodeInputs(nodes[0], at, fail);
    const previous = layers[i - 1].name;
    if (sources.length !== 1 || sources[0] !== previous) {
      fail(`${at} takes ${sources.map(quote).join(' and ') || 'nothing'}, not the output of the previous layer ${quote(previous)}: the model is not a simple chain`);
    }
  });
}

/** `[["name", 0, 0], …]` or a single `["name", 0, 0]` → the layer names (node and tensor 0 only). */
function tensorRefs(value: unknown, where: string, fail: (problem: string) => never): string[] {
  if (!Array.isArray(value)) return fail(`${where} is missing`);
  const list = typeof value[0] === 'string' ? [value] : value;
  return list.map((ref) => {
    if (!Array.isArray(ref) || typeof ref[0] !== 'string') return fail(`${where} is malformed`);
    if ((ref[1] ?? 0) !== 0 || (ref[2] ?? 0) !== 0) fail(`${where} names ${quote(ref[0])} at node ${ref[1]}, tensor ${ref[2]}: the model is not a simple chain`);
    return ref[0];
  });
}

/**
 * The layers whose outputs one call takes. Keras 3 writes `{"args": [tensor…], "kwargs": {…}}`
 * with each tensor's `keras_history` [layer, node, index]; Keras 2 wrote `[["name", 0, 0, {}], …]`.
 */
function nodeInputs(node: unknown, at: string, fail: (problem: string) => never): string[] {
  if (Array.isArray(node)) return tensorRefs(node.map((ref) => (Array.isArray(ref) ? ref.slice(0, 3) : ref)), `${at}'s inbound node`, fail);
  if (!isRecord(node) || !Array.isArray(node.args)) return fail(`${at} has a malformed inbound node`);
  const tensors: unknown[] = node.args.flatMap((arg) => (Array.isArray(arg) ? arg : [arg]));
  if (isRecord(node.kwargs)) {
    for (const [key, value] of Object.entries(node.kwargs)) {
      if (isRecord(value) && value.class_name === '__keras_tensor__') fail(`${at} takes a second tensor as ${quote(key)}: the model is not a simple chain`);
    }
  }
  return tensors.map((tensor) => {
    const history = isRecord(tensor) && isRecord(tensor.config) ? tensor.config.keras_history : undefined;
    if (!Array.isArray(history)) return fail(`${at} takes an argument that is not a layer's output`);
    return tensorRefs([history], `${at}'s input`, fail)[0];
  });
}
