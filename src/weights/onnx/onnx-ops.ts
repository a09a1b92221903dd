/**
 * The dense and elementwise ONNX ops as layers: Gemm, MatMul, Add, the activations, Softmax,
 * LogSoftmax, Flatten, Reshape (a flatten), Dropout and Identity (dropped at inference). Each
 * checks the running shape and its attributes, so that what the layer vocabulary cannot express
 * exactly is refused here, naming the node.
 */
import { formatShape, quote } from '../decode-array.js';
import type { NodeView } from './onnx-node.js';
import { int64Values } from './onnx-tensors.js';
import { asVector, derive, describe, type GraphState, push, scaled, sizeOf, weight } from './onnx-state.js';

/** One op's handler: `inputs` are the node's inputs as listed (empty: left out), `data` the running tensor's position. */
export type OpHandler = (view: NodeView, state: GraphState, inputs: readonly string[], data: number) => void;

const at = (inputs: readonly string[], i: number): string | undefined => (inputs[i] ? inputs[i] : undefined);

function needsFirst(view: NodeView, data: number, what: string): void {
  if (data !== 0) view.fail(`the running tensor is its input ${data + 1}, expected it as ${what} (input 1)`);
}

function needsVector(view: NodeView, state: GraphState, op: string): number {
  if (state.shape.length !== 1) view.fail(`${op} of a tensor of shape ${describe(state.shape)}, expected (batch, values): flatten it first`);
  return state.shape[0];
}

const gemm: OpHandler = (view, state, inputs, data) => {
  view.only('alpha', 'beta', 'transA', 'transB');
  needsFirst(view, data, 'A');
  if (view.int('transA', 0) !== 0) view.fail('transA=1 is not supported: A is the running batch, expected it untransposed');
  const transB = view.int('transB', 0);
  if (transB !== 0 && transB !== 1) view.fail(`transB=${transB}, expected 0 or 1`);
  const k = needsVector(view, state, 'Gemm');
  const B = weight(view, state, at(inputs, 1), 'B');
  if (B.shape.length !== 2) view.fail(`its B ${quote(B.name)} has shape ${formatShape(B.shape)}, expected a matrix`);
  const [inSize, n] = transB === 1 ? [B.shape[1], B.shape[0]] : [B.shape[0], B.shape[1]];
  if (inSize !== k) view.fail(`its B ${quote(B.name)} has shape ${formatShape(B.shape)}${transB ? ' (transB=1: out × in)' : ''}, which takes ${inSize} values, but the running tensor has ${k}`);
  // alpha·(A·B) + beta·C is computed here as A·(alpha·B) + (beta·C): exact when alpha and beta
  // are 1 (as every exporter writes them), else rounded once more than the framework rounds.
  const alpha = view.float('alpha', 1);
  const beta = view.float('beta', 1);
  const W = alpha === 1 ? B.name : derive(view, state, B.name, B.shape, (values) => scaled(values, alpha));
  let b: string | undefined;
  const cName = at(inputs, 2);
  if (cName !== undefined && beta !== 0) {
    const C = weight(view, state, cName, 'C');
    const shapeOk = (C.shape.length === 1 && C.shape[0] === n) || (C.shape.length === 2 && C.shape[0] === 1 && C.shape[1] === n);
    if (!shapeOk) view.fail(`its C ${quote(C.name)} has shape ${formatShape(C.shape)}, expected a bias (${n},) or (1, ${n})`);
    b = beta === 1 ? asVector(view, state, C) : derive(view, state, C.name, [n], (values) => scaled(values, beta));
  }
  push(state, { type: 'affine', W, ...(b === undefined ? {} : { b }), ...(transB === 1 ? { transpose: true } : {}) }, b === undefined ? n : undefined);
  state.shape = [n];
};

const matMul: OpHandler = (view, state, inputs, data) => {
  view.only();
  needsFirst(view, data, 'A');
  const k = needsVector(view, state, 'MatMul');
  const B = weight(view, state, at(inputs, 1), 'B');
  if (B.shape.length !== 2 || B.shape[0] !== k) view.fail(`its B ${quote(B.name)} has shape ${formatShape(B.shape)}, expected (${k}, n) for the running ${describe(state.shape)}`);
  push(state, { type: 'affine', W: B.name }, B.shape[1]);
  state.shape = [B.shape[1]];
};

/** Add of a constant: the bias of the bias-less affine or convolution just before, or a single value (a rescale). */
const add: OpHandler = (view, state, inputs, data) => {
  view.only();
  const X = weight(view, state, at(inputs, 1 - data), 'addend');
  const open = state.open;
  const layer = open === undefined ? undefined : state.layers[open.index];
  if (layer?.type === 'affine' && open !== undefined) {
    const ok = (X.shape.length === 1 && X.shape[0] === open.size) || (X.shape.length === 2 && X.shape[0] === 1 && X.shape[1] === open.size);
    if (ok) {
      state.layers[open.index] = { ...layer, b: asVector(view, state, X) };
      state.open = undefined;
      return;
    }
  }
  if (layer?.type === 'convolution' && open !== undefined) {
    const dims = X.shape.length === 4 && X.shape[0] === 1 ? X.shape.slice(1) : X.shape;
    if (dims.length === 3 && dims[0] === open.size && dims[1] === 1 && dims[2] === 1) {
      state.layers[open.index] = { ...layer, b: asVector(view, state, X) };
      state.open = undefined;
      return;
    }
  }
  if (X.data.length === 1 && X.shape.length <= state.shape.length + 1) {
    push(state, { type: 'rescale', scale: 1, offset: X.data[0] });
    return;
  }
  view.fail(`adds ${quote(X.name)} of shape ${formatShape(X.shape)} to ${describe(state.shape)}, expected the bias of a MatMul, Gemm or Conv right before it, or a single value`);
};

const plain = (type: 'relu' | 'sigmoid' | 'tanh'): OpHandler => (view, state) => {
  view.only();
  push(state, { type });
};

const softmax = (type: 'softmax' | 'log-softmax'): OpHandler => (view, state) => {
  view.only('axis');
  needsVector(view, state, view.op);
  // Before opset 13 the default axis is 1 and the input is seen as 2-D; for a 2-D input both
  // definitions are the softmax of each row.
  const axis = view.int('axis', state.opset < 13 ? 1 : -1);
  if (axis !== 1 && axis !== -1) view.fail(`axis=${axis}, expected 1 or -1 (the values of each sample)`);
  push(state, { type });
};

/** A flatten to (batch, values), or nothing when the running tensor is flat already. */
function flatten(state: GraphState): void {
  if (state.shape.length > 1) push(state, { type: 'flatten' });
  state.shape = [sizeOf(state.shape)];
}

const flattenOp: OpHandler = (view, state) => {
  view.only('axis');
  const axis = view.int('axis', 1);
  const rank = state.shape.length + 1;
  if (axis !== 1 && axis !== 1 - rank) view.fail(`axis=${axis}, expected 1 (keep the batch, flatten the rest)`);
  flatten(state);
};

/** Reshape to a constant [N, -1], [-1, K], [0, -1] or [N, K]: a flatten that keeps the batch. */
const reshape: OpHandler = (view, state, inputs, data) => {
  view.only('allowzero');
  needsFirst(view, data, 'data');
  const shapeName = at(inputs, 1) ?? view.fail('has no shape input');
  const tensor = state.tensors.get(shapeName) ?? view.fail(`its shape ${quote(shapeName)} is computed in the graph, expected a constant (an initializer or a Constant)`);
  const target = int64Values(tensor, state.file, `${view.label}: shape ${quote(shapeName)}`, 8);
  const allowZero = view.int('allowzero', 0) === 1;
  const size = sizeOf(state.shape);
  const [first, second] = target;
  const keepsBatch = first === -1 ? second === size : (first === 0 && !allowZero) || (first !== undefined && first === state.batch);
  const restOk = first === -1 || second === -1 || second === size;
  if (target.length !== 2 || !keepsBatch || !restOk || (first === -1 && second === -1)) {
    view.fail(`reshapes ${describe(state.shape)} to [${target.join(', ')}], expected a flatten: [-1, ${size}], [0, -1]${state.batch === undefined ? '' : ` or [${state.batch}, -1]`}`);
  }
  flatten(state);
};

const dropped: OpHandler = (view) => {
  // Dropout is the identity at inference (its ratio and training_mode inputs are constants).
  view.only(...(view.op === 'Dropout' ? ['ratio', 'seed'] : []));
};

export const DENSE_OPS: Readonly<Record<string, OpHandler>> = {
  Gemm: gemm,
  MatMul: matMul,
  Add: add,
  Relu: plain('relu'),
  Sigmoid: plain('sigmoid'),
  Tanh: plain('tanh'),
  Softmax: softmax('softmax'),
  LogSoftmax: softmax('log-softmax'),
  Flatten: flattenOp,
  Reshape: reshape,
  Dropout: dropped,
  Identity: dropped,
};
