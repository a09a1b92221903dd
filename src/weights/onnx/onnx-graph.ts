/**
 * An ONNX graph as a ModelSpec: the nodes must form a chain from the one graph input to the one
 * graph output, each taking the previous node's output (and constants); the running shape of one
 * sample is tracked from the input's, so that a shape the layers cannot take is refused here,
 * naming the node, rather than when the network is built.
 */
import { InputError } from '../../errors.js';
import { type ByteBudget, quote } from '../decode-array.js';
import type { NdArray } from '../nd-array.js';
import { MAX_LAYERS, type ModelSpec } from '../../model/model-spec.js';
import { IMAGE_OPS } from './onnx-conv.js';
import { NodeView } from './onnx-node.js';
import { DENSE_OPS, type OpHandler } from './onnx-ops.js';
import { int64Number, type OnnxGraph } from './onnx-schema.js';
import type { GraphState } from './onnx-state.js';
import { constantTensor } from './onnx-constant.js';

/** The default domain's opsets this reader knows the ops of (ONNX 1.2 to 1.17). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 22;

const OPS: Readonly<Record<string, OpHandler>> = { ...DENSE_OPS, ...IMAGE_OPS };

export interface GraphInput {
  readonly graph: OnnxGraph;
  readonly file: string;
  readonly name: string;
  /** The default domain's opset, undefined when the model imports none. */
  readonly opset: number | undefined;
  readonly arrays: Map<string, NdArray>;
  readonly tensors: GraphState['tensors'];
  readonly budget: ByteBudget;
}

const isDefaultDomain = (domain: string | undefined): boolean => !domain || domain === 'ai.onnx';

export function buildSpec(input: GraphInput): ModelSpec {
  const { graph, file } = input;
  const fail = (problem: string): never => {
    throw new InputError(file, problem);
  };
  const { name: inputName, shape, batch } = graphInput(graph, input.tensors, file);
  const state: GraphState = { file, opset: input.opset ?? 0, arrays: input.arrays, tensors: input.tensors, budget: input.budget, batch, layers: [], shape };
  // Where each tensor comes from, for the message when a node takes one that is not the running one.
  const madeBy = new Map<string, string>([[inputName, 'the graph input']]);
  let current = inputName;
  graph.node.forEach((node, index) => {
    const view = new NodeView(node, index, file);
    if (!isDefaultDomain(node.domain)) view.fail(`domain ${quote(node.domain ?? '')} is not supported, expected the default ONNX domain`);
    const opset = input.opset ?? view.fail('the model imports no opset of the default domain');
    if (opset < MIN_OPSET || opset > MAX_OPSET) view.fail(`opset ${opset} of the default domain is not supported, expected ${MIN_OPSET} to ${MAX_OPSET}`);
    const outputs = node.output;
    if (outputs.length === 0 || !outputs[0]) view.fail('has no output');
    for (const name of outputs.filter((output) => output !== '')) {
      if (madeBy.has(name) || input.tensors.has(name)) view.fail(`makes ${quote(name)} again, expected each tensor made once`);
    }
    if (view.op === 'Constant') {
      if (view.inputs.length > 0) view.fail('a Constant with inputs');
      constantTensor(view, state, outputs[0]);
      madeBy.set(outputs[0], view.label);
      return;
    }
    const handler = OPS[view.op] ?? view.fail(`op ${quote(view.op)} is not supported, expected one of Constant, ${Object.keys(OPS).join(', ')}`);
    let data = -1;
    node.input.forEach((name, i) => {
      if (name === '' || input.tensors.has(name)) return;
      const from = madeBy.get(name) ?? view.fail(`takes ${quote(name)}, which is neither an initializer nor made by an earlier node`);
      if (name !== current) view.fail(`takes ${quote(name)} from ${from}, not the running tensor ${quote(current)} of ${madeBy.get(current)}: the graph branches, expected a chain`);
      if (data !== -1) view.fail(`takes the running tensor ${quote(name)} twice: the graph merges, expected a chain`);
      data = i;
    });
    if (data === -1) view.fail(`takes no running tensor (only constants), expected ${quote(current)} of ${madeBy.get(current)}`);
    handler(view, state, node.input, data);
    for (const name of outputs.filter((output) => output !== '')) madeBy.set(name, view.label);
    current = outputs[0];
  });
  if (graph.output.length !== 1) fail(`the graph has ${graph.output.length} outputs, expected one`);
  const outputName = graph.output[0].name ?? '';
  if (outputName !== current) {
    fail(`the graph output ${quote(outputName)} is ${madeBy.has(outputName) ? `made by ${madeBy.get(outputName)}` : 'made by no node'}, not the end of the chain ${quote(current)} (${madeBy.get(current)})`);
  }
  if (state.layers.length === 0) fail('the graph has no layers (only Identity, Dropout or Constant nodes)');
  if (state.layers.length > MAX_LAYERS) fail(`the graph makes ${state.layers.length} layers, more than the limit of ${MAX_LAYERS}`);
  return { name: input.name, input: shape, layers: state.layers };
}

/**
 * The graph's one real input (older exporters list the initializers among the inputs too) and the
 * shape of one sample: [batch, n] → [n], [batch, 1, H, W] → [1, H, W], the batch a name or 1.
 */
function graphInput(graph: OnnxGraph, tensors: GraphState['tensors'], file: string): { name: string; shape: number[]; batch: number | undefined } {
  const inputs = graph.input.filter((value) => !tensors.has(value.name ?? ''));
  if (inputs.length !== 1) {
    throw new InputError(file, `the graph has ${inputs.length} inputs besides its initializers${inputs.length > 1 ? ` (${inputs.slice(0, 4).map((value) => quote(value.name ?? '')).join(', ')})` : ''}, expected one (the images)`);
  }
  const value = inputs[0];
  const name = value.name ?? '';
  const fail = (problem: string): never => {
    throw new InputError(file, `graph input ${quote(name)}: ${problem}`);
  };
  const tensor = value.type?.tensor_type ?? fail('is not a tensor');
  if (tensor.elem_type !== 1 && tensor.elem_type !== 11) fail(`has element type ${tensor.elem_type}, expected FLOAT (1) or DOUBLE (11)`);
  const dims = tensor.shape?.dim ?? fail('has no shape, which this reader needs to place the layers');
  const sizes = dims.map((dim) => (dim.dim_param || !hasValue(dim) ? undefined : int64Number(dim.dim_value)));
  const shown = `[${dims.map((dim, i) => sizes[i] ?? (dim.dim_param ? quote(dim.dim_param) : '?')).join(', ')}]`;
  const [first, ...rest] = sizes;
  if (dims.length < 2 || (first !== undefined && first !== 1)) fail(`has shape ${shown}, expected a batch first (a name or 1), as in ['batch', 784] or ['batch', 1, 28, 28]`);
  if (rest.some((d) => d === undefined || d < 1)) fail(`has shape ${shown}, whose sizes after the batch must be numbers to place the layers`);
  const shape = rest as number[];
  if (shape.length === 3 && shape[0] !== 1 && shape[2] === 1) fail(`has shape ${shown}, which looks channels-last (N × H × W × C), expected N × 1 × H × W`);
  if (!(shape.length === 1 || (shape.length === 3 && shape[0] === 1))) fail(`has shape ${shown}, expected ['batch', 784] or ['batch', 1, 28, 28]`);
  return { name, shape, batch: first };
}

/** A decoded message holds its fields as own properties (absent ones come from its prototype). */
const hasValue = (dim: object): boolean => Object.prototype.hasOwnProperty.call(dim, 'dim_value');
