/**
 * The image ops as layers: Conv, MaxPool, AveragePool and BatchNormalization over a running
 * C × H × W. The layer vocabulary has one stride and one symmetric pad for both axes, no
 * dilation, groups or padded pooling: anything else is refused naming the attribute.
 */
import { formatShape, quote } from '../decode-array.js';
import type { NodeView } from './onnx-node.js';
import type { OpHandler } from './onnx-ops.js';
import { describe, expectShape, type GraphState, push, weight } from './onnx-state.js';

function needsImage(view: NodeView, state: GraphState): [number, number, number] {
  if (state.shape.length !== 3) view.fail(`${view.op} of a tensor of shape ${describe(state.shape)}, expected (batch, channels, height, width)`);
  return [state.shape[0], state.shape[1], state.shape[2]];
}

/** One value for both axes of a 2-D attribute (strides, dilations), or `fallback` when absent. */
function bothAxes(view: NodeView, name: string, fallback: number): number {
  const values = view.ints(name);
  if (values === undefined) return fallback;
  if (values.length !== 2) view.fail(`${name}=[${values.join(', ')}], expected 2 values (height, width)`);
  if (values[0] !== values[1]) view.fail(`${name}=[${values.join(', ')}] differ between height and width, expected one value for both`);
  if (values[0] < 1) view.fail(`${name}=[${values.join(', ')}], expected values of at least 1`);
  return values[0];
}

/** The symmetric pad of auto_pad NOTSET with `pads`, or VALID (no pad); SAME_* are refused. */
function padOf(view: NodeView): number {
  const autoPad = view.string('auto_pad', 'NOTSET');
  const pads = view.ints('pads');
  if (autoPad === 'VALID') {
    if (pads !== undefined && pads.some((p) => p !== 0)) view.fail(`auto_pad=VALID with pads=[${pads.join(', ')}], expected no pads`);
    return 0;
  }
  if (autoPad !== 'NOTSET') view.fail(`auto_pad=${quote(autoPad)} is not supported, expected NOTSET (with pads) or VALID`);
  if (pads === undefined) return 0;
  if (pads.length !== 4) view.fail(`pads=[${pads.join(', ')}], expected 4 values (top, left, bottom, right)`);
  if (pads.some((p) => p !== pads[0])) view.fail(`pads=[${pads.join(', ')}] are not the same on every side, expected one symmetric pad`);
  if (pads[0] < 0) view.fail(`pads=[${pads.join(', ')}], expected pads of at least 0`);
  return pads[0];
}

/** The output size of a window of `size` moved by `stride` over `input` (+ 2·pad), floored as ONNX does. */
function outputSize(view: NodeView, axis: string, input: number, size: number, stride: number, pad: number): number {
  const span = input + 2 * pad - size;
  if (span < 0) view.fail(`its ${size}-wide window is larger than the ${axis} of ${input}${pad ? ` padded by ${pad}` : ''}`);
  return Math.floor(span / stride) + 1;
}

const conv: OpHandler = (view, state, inputs, data) => {
  view.only('auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides');
  if (data !== 0) view.fail(`the running tensor is its input ${data + 1}, expected it as X (input 1)`);
  const [c, h, w] = needsImage(view, state);
  const W = weight(view, state, inputs[1] || undefined, 'W');
  if (W.shape.length !== 4 || W.shape[1] !== c) view.fail(`its W ${quote(W.name)} has shape ${formatShape(W.shape)}, expected (filters, ${c}, height, width)`);
  const [filters, , fh, fw] = W.shape;
  const group = view.int('group', 1);
  if (group !== 1) view.fail(`group=${group} is not supported, expected 1`);
  if (bothAxes(view, 'dilations', 1) !== 1) view.fail(`dilations=[${view.ints('dilations')!.join(', ')}] are not supported, expected 1`);
  const kernel = view.ints('kernel_shape');
  if (kernel !== undefined && (kernel.length !== 2 || kernel[0] !== fh || kernel[1] !== fw)) view.fail(`kernel_shape=[${kernel.join(', ')}] does not match W's ${fh} × ${fw}`);
  const stride = bothAxes(view, 'strides', 1);
  const pad = padOf(view);
  let b: string | undefined;
  if (inputs[2]) {
    const B = weight(view, state, inputs[2], 'B');
    expectShape(view, B, 'B', [filters]);
    b = B.name;
  }
  push(state, { type: 'convolution', W: W.name, ...(b === undefined ? {} : { b }), stride, pad }, b === undefined ? filters : undefined);
  state.shape = [filters, outputSize(view, 'height', h, fh, stride, pad), outputSize(view, 'width', w, fw, stride, pad)];
};

const pool = (mode: 'max' | 'average'): OpHandler => (view, state) => {
  view.only('auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'strides', ...(mode === 'max' ? ['storage_order'] : ['count_include_pad']));
  const [c, h, w] = needsImage(view, state);
  const kernel = view.ints('kernel_shape') ?? view.fail('has no kernel_shape');
  if (kernel.length !== 2 || kernel.some((k) => k < 1)) view.fail(`kernel_shape=[${kernel.join(', ')}], expected 2 sizes (height, width)`);
  if (padOf(view) !== 0) view.fail(`pads=[${view.ints('pads')!.join(', ')}] are not supported for pooling, expected none`);
  if (view.int('ceil_mode', 0) !== 0) view.fail('ceil_mode=1 is not supported, expected 0');
  if (view.int('storage_order', 0) !== 0) view.fail('storage_order=1 (column major) is not supported, expected 0');
  if (bothAxes(view, 'dilations', 1) !== 1) view.fail(`dilations=[${view.ints('dilations')!.join(', ')}] are not supported, expected 1`);
  const stride = bothAxes(view, 'strides', 1);
  const [kh, kw] = kernel;
  push(state, { type: 'pooling', mode, size: kh === kw ? kh : [kh, kw], stride });
  state.shape = [c, outputSize(view, 'height', h, kh, stride, 0), outputSize(view, 'width', w, kw, stride, 0)];
};

const batchNorm: OpHandler = (view, state, inputs, data) => {
  view.only('epsilon', 'momentum', 'training_mode', 'spatial');
  if (data !== 0) view.fail(`the running tensor is its input ${data + 1}, expected it as X (input 1)`);
  if (view.int('training_mode', 0) !== 0) view.fail('training_mode=1 is not supported, expected inference (0)');
  if (view.int('spatial', 1) !== 1) view.fail('spatial=0 is not supported, expected 1 (one mean per channel)');
  const outputs = view.node.output.filter((name) => name !== '');
  if (outputs.length > 1) view.fail(`has ${outputs.length} outputs (running statistics), expected only Y at inference`);
  const channels = state.shape[0];
  const names = ['scale', 'B', 'mean', 'var'].map((role, i) => {
    const array = weight(view, state, inputs[i + 1] || undefined, role);
    expectShape(view, array, role, [channels]);
    return array.name;
  });
  push(state, { type: 'batch-norm', scale: names[0], shift: names[1], mean: names[2], variance: names[3], epsilon: view.float('epsilon', 1e-5) });
};

export const IMAGE_OPS: Readonly<Record<string, OpHandler>> = {
  Conv: conv,
  MaxPool: pool('max'),
  AveragePool: pool('average'),
  BatchNormalization: batchNorm,
};
