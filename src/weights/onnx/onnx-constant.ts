/**
 * The Constant node: its value (a tensor, or value_float(s) / value_int(s)) becomes a named
 * constant like an initializer, a float array the next nodes may take as weights or the int64
 * shape of a Reshape.
 */
import { quote } from '../decode-array.js';
import type { NodeView } from './onnx-node.js';
import { claimFloatArray, FLOAT, floatArray, INT64, isFloatTensor, type OnnxTensor, parseTensor } from './onnx-tensors.js';
import type { GraphState } from './onnx-state.js';

const VALUES = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'];

export function constantTensor(view: NodeView, state: GraphState, output: string): void {
  const given = view.attributeNames;
  if (given.length !== 1 || !VALUES.includes(given[0])) {
    view.fail(`a Constant with attributes [${given.map(quote).join(', ')}], expected one of ${VALUES.join(', ')}`);
  }
  const tensor = valueOf(view, given[0], output);
  state.tensors.set(output, tensor);
  if (isFloatTensor(tensor)) {
    const label = `${view.label}: value`;
    claimFloatArray(tensor, state.file, state.budget, label);
    state.arrays.set(output, floatArray(tensor, state.file, undefined, label));
  }
}

function valueOf(view: NodeView, attribute: string, output: string): OnnxTensor {
  if (attribute === 'value') {
    const bytes = view.tensor('value') ?? view.fail('a Constant without a value');
    const tensor = parseTensor(bytes, view.file, `${view.label}: value`);
    if (tensor.external !== undefined) view.fail('a Constant whose value is in external data, expected it in the model');
    return { ...tensor, name: output };
  }
  const isFloat = attribute.startsWith('value_float');
  const values = isFloat
    ? (attribute === 'value_float' ? [view.float(attribute, 0)] : view.floats(attribute)!)
    : attribute === 'value_int' ? [view.int(attribute, 0)] : view.ints(attribute)!;
  const raw = new Uint8Array(values.length * (isFloat ? 4 : 8));
  const data = new DataView(raw.buffer);
  values.forEach((value, i) => (isFloat ? data.setFloat32(i * 4, value, true) : data.setBigInt64(i * 8, BigInt(value), true)));
  const dims = attribute.endsWith('s') ? [values.length] : [];
  return { name: output, dims, dataType: isFloat ? FLOAT : INT64, raw, spans: [] };
}
