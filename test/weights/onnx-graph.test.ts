/**
 * ONNX graphs built in the test: each supported op as the layer it becomes, and each thing the
 * layer vocabulary cannot express (an op, a branch, an opset, a domain, an option) refused with one
 * line naming the node and the op.
 */
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { readOnnx } from '../../src/weights/onnx/read-onnx.js';
import {
  MLP_INITIALIZERS, MLP_NODES, type ModelOptions, type NodeSpec, float, i64, INT64, int, ints, model, node, str, tensor, tensorAttr,
} from './onnx-builder.js';

const read = (options: ModelOptions) => readOnnx({ bytes: model(options), path: '/nonexistent/t.onnx', file: 't.onnx' });

const refuses = async (t: ExecutionContext, options: ModelOptions, problem: string): Promise<void> => {
  await t.throwsAsync(read(options), { instanceOf: InputError, message: `t.onnx: ${problem}` });
};

const layersOf = async (options: ModelOptions) => (await read(options)).spec!.layers;

/** The MLP with its node `index` replaced by `replacement`. */
const withNode = (index: number, replacement: NodeSpec): NodeSpec[] => MLP_NODES.map((n, i) => (i === index ? replacement : n));

/** A small convnet: x (1 × 6 × 6) → Conv 2×1×3×3 → (2 × 4 × 4) → `pool` → Flatten → Gemm to 3. */
const convnet = (conv: Record<string, ReturnType<typeof int>> = {}, pool: NodeSpec = node('MaxPool', ['c'], ['p'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }), fcIn = 8): ModelOptions => ({
  input: ['N', 1, 6, 6],
  nodes: [node('Conv', ['x', 'K', 'kb'], ['c'], conv, 'conv'), pool, node('Flatten', [pool.outputs[0]], ['f'], {}, 'flat'), node('Gemm', ['f', 'W', 'b'], ['y'], { transB: int(1) }, 'fc')],
  initializers: [tensor('K', [2, 1, 3, 3]), tensor('kb', [2]), tensor('W', [3, fcIn]), tensor('b', [3])],
});

test('the MLP: Gemm(transB=1) as affine layers with transpose, Relu, Softmax; the input [batch, 4] as [4]', async (t) => {
  const weights = await read({});
  t.deepEqual(weights.spec, {
    name: 't',
    input: [4],
    layers: [{ type: 'affine', W: 'W1', b: 'b1', transpose: true }, { type: 'relu' }, { type: 'affine', W: 'W2', b: 'b2', transpose: true }, { type: 'softmax' }],
  });
  t.deepEqual(weights.metadata, { producer: 'onnx-builder 1.0', ir_version: '8', opset: '13', graph: 'test_graph' });
  t.deepEqual([...weights.arrays.keys()], ['W1', 'b1', 'W2', 'b2']);
});

test('model_version and domain go into the metadata', async (t) => {
  const weights = await read({ fields: { model_version: 3, domain: 'org.example' } });
  t.is(weights.metadata.model_version, '3');
  t.is(weights.metadata.domain, 'org.example');
});

test('Gemm with transB=0 takes in × out weights; without C it has no bias, and an Add right after gives it one', async (t) => {
  const nodes = [node('Gemm', ['x', 'V'], ['h'], {}, 'g'), node('Add', ['bV', 'h'], ['y'], {}, 'a')];
  t.deepEqual(await layersOf({ nodes, initializers: [tensor('V', [4, 2]), tensor('bV', [2])] }), [{ type: 'affine', W: 'V', b: 'bV' }]);
});

test('Gemm with alpha and beta scales copies of B and C (named after the node), the file\'s arrays kept', async (t) => {
  const weights = await read({ nodes: withNode(0, node('Gemm', ['x', 'W1', 'b1'], ['h1'], { transB: int(1), alpha: float(2), beta: float(0.5) }, 'Gemm_0')) });
  t.deepEqual(weights.spec!.layers[0], { type: 'affine', W: 'W1@node1', b: 'b1@node1', transpose: true });
  const W1 = weights.arrays.get('W1')!;
  t.deepEqual(Array.from(weights.arrays.get('W1@node1')!.data), Array.from(W1.data, (v) => v * 2));
  t.deepEqual(Array.from(weights.arrays.get('b1@node1')!.data), Array.from(weights.arrays.get('b1')!.data, (v) => v * 0.5));
  t.deepEqual(weights.arrays.get('W1@node1')!.shape, [3, 4]);
});

test('a bias stored as (1, N) becomes a vector of its own', async (t) => {
  const weights = await read({ initializers: [tensor('W1', [3, 4]), tensor('b1', [1, 3]), tensor('W2', [2, 3]), tensor('b2', [2])] });
  t.is((weights.spec!.layers[0] as { b: string }).b, 'b1@node1');
  t.deepEqual(weights.arrays.get('b1@node1')!.shape, [3]);
});

test('MatMul then Add of a vector is one affine layer; MatMul alone has no bias', async (t) => {
  const initializers = [tensor('M', [4, 3]), tensor('c', [3]), tensor('M2', [3, 2])];
  const nodes = [node('MatMul', ['x', 'M'], ['m']), node('Add', ['m', 'c'], ['h']), node('Tanh', ['h'], ['z']), node('MatMul', ['z', 'M2'], ['y'])];
  t.deepEqual(await layersOf({ nodes, initializers }), [{ type: 'affine', W: 'M', b: 'c' }, { type: 'tanh' }, { type: 'affine', W: 'M2' }]);
});

test('Add of a single value is a rescale; Add of a vector anywhere else is refused', async (t) => {
  const nodes = [...MLP_NODES.slice(0, 2), node('Add', ['z1', 'k'], ['a'], {}, 'shift'), node('Gemm', ['a', 'W2', 'b2'], ['y'], { transB: int(1) })];
  const layers = await layersOf({ nodes, initializers: [...MLP_INITIALIZERS, tensor('k', [1], { raw_data: new Uint8Array(new Float32Array([0.5]).buffer) })] });
  t.deepEqual(layers[2], { type: 'rescale', scale: 1, offset: 0.5 });
  await refuses(t, { nodes, initializers: [...MLP_INITIALIZERS, tensor('k', [3])] },
    "node 3 'shift' (Add): adds 'k' of shape (3,) to (batch, 3), expected the bias of a MatMul, Gemm or Conv right before it, or a single value");
});

test('Sigmoid, Tanh, LogSoftmax; Dropout and Identity are left out; Softmax\'s default axis is 1 before opset 13 and -1 after', async (t) => {
  const nodes = [
    node('Gemm', ['x', 'W1', 'b1'], ['h1'], { transB: int(1) }), node('Dropout', ['h1'], ['d', 'mask'], { ratio: float(0.5) }), node('Sigmoid', ['d'], ['s']),
    node('Identity', ['s'], ['i']), node('Gemm', ['i', 'W2', 'b2'], ['h2'], { transB: int(1) }), node('LogSoftmax', ['h2'], ['y']),
  ];
  t.deepEqual((await layersOf({ nodes, opset: 11 })).map((l) => l.type), ['affine', 'sigmoid', 'affine', 'log-softmax']);
  const softmax = withNode(3, node('Softmax', ['h2'], ['y']));
  t.is((await layersOf({ nodes: softmax, opset: 11 }))[3].type, 'softmax');
  t.is((await layersOf({ nodes: softmax, opset: 18 }))[3].type, 'softmax');
  await refuses(t, { nodes: withNode(3, node('Softmax', ['h2'], ['y'], { axis: int(0) }, 'sm')) }, "node 4 'sm' (Softmax): axis=0, expected 1 or -1 (the values of each sample)");
});

test('an op outside the set is refused naming the node and the op', async (t) => {
  await refuses(t, { nodes: withNode(1, node('LSTM', ['h1'], ['z1'], {}, 'LSTM_1')) },
    "node 2 'LSTM_1' (LSTM): op 'LSTM' is not supported, expected one of Constant, Gemm, MatMul, Add, Relu, Sigmoid, Tanh, Softmax, LogSoftmax, Flatten, Reshape, Dropout, Identity, Conv, MaxPool, AveragePool, BatchNormalization");
  await refuses(t, { nodes: withNode(1, node('Relu', ['h1'], ['z1'], { alpha: float(0.1) }, 'r')) }, "node 2 'r' (Relu): attribute 'alpha' is not supported (the op takes none)");
});

test('a branching, merging or unordered graph is refused, and so is an output that is not the end of the chain', async (t) => {
  await refuses(t, { nodes: [...MLP_NODES.slice(0, 2), node('Sigmoid', ['h1'], ['s'], {}, 'side'), ...MLP_NODES.slice(2)] },
    "node 3 'side' (Sigmoid): takes 'h1' from node 1 'Gemm_0' (Gemm), not the running tensor 'z1' of node 2 'Relu_1' (Relu): the graph branches, expected a chain");
  await refuses(t, { nodes: [...MLP_NODES.slice(0, 2), node('Add', ['z1', 'z1'], ['a'], {}, 'twice'), ...MLP_NODES.slice(2)] },
    "node 3 'twice' (Add): takes the running tensor 'z1' twice: the graph merges, expected a chain");
  await refuses(t, { nodes: [MLP_NODES[1], MLP_NODES[0], ...MLP_NODES.slice(2)] },
    "node 1 'Relu_1' (Relu): takes 'h1', which is neither an initializer nor made by an earlier node");
  await refuses(t, { outputs: ['h1'] }, "the graph output 'h1' is made by node 1 'Gemm_0' (Gemm), not the end of the chain 'y' (node 4 'Softmax_3' (Softmax))");
  await refuses(t, { outputs: ['y', 'h1'] }, 'the graph has 2 outputs, expected one');
  await refuses(t, { extraInputs: ['mask'] }, "the graph has 2 inputs besides its initializers ('x', 'mask'), expected one (the images)");
});

test('an opset of the default domain outside 7..22, a node of another domain and a model without a default opset are refused', async (t) => {
  await refuses(t, { opset: 23 }, "node 1 'Gemm_0' (Gemm): opset 23 of the default domain is not supported, expected 7 to 22");
  await refuses(t, { opset: 6 }, "node 1 'Gemm_0' (Gemm): opset 6 of the default domain is not supported, expected 7 to 22");
  await refuses(t, { opsets: [{ domain: 'com.microsoft', version: 1 }] }, "node 1 'Gemm_0' (Gemm): the model imports no opset of the default domain");
  const custom = { ...MLP_NODES[1], domain: 'com.microsoft' };
  await refuses(t, { nodes: withNode(1, custom), opsets: [{ domain: '', version: 13 }, { domain: 'com.microsoft', version: 1 }] },
    "node 2 'Relu_1' (Relu): domain 'com.microsoft' is not supported, expected the default ONNX domain");
  t.is((await read({ opsets: [{ domain: 'ai.onnx', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }] })).metadata.opset, '17');
  await refuses(t, { ir: 2 }, 'ir_version 2 is not supported, expected 3 to 14');
});

test('Gemm: transA=1 and weights that do not fit the running tensor are refused', async (t) => {
  await refuses(t, { nodes: withNode(0, node('Gemm', ['x', 'W1', 'b1'], ['h1'], { transA: int(1), transB: int(1) }, 'Gemm_0')) },
    "node 1 'Gemm_0' (Gemm): transA=1 is not supported: A is the running batch, expected it untransposed");
  await refuses(t, { nodes: withNode(0, node('Gemm', ['x', 'W1', 'b1'], ['h1'], {}, 'Gemm_0')) },
    "node 1 'Gemm_0' (Gemm): its B 'W1' has shape (3, 4), which takes 3 values, but the running tensor has 4");
  await refuses(t, { nodes: withNode(0, node('Gemm', ['W1', 'x', 'b1'], ['h1'], { transB: int(1) }, 'Gemm_0')) },
    "node 1 'Gemm_0' (Gemm): the running tensor is its input 2, expected it as A (input 1)");
  await refuses(t, { nodes: withNode(0, node('Gemm', ['x', 'W1', 'b1'], ['h1'], { transB: float(1) }, 'Gemm_0')) },
    "node 1 'Gemm_0' (Gemm): attribute 'transB' is FLOAT, expected INT");
});

test('the graph input: [batch, 1, H, W] and [1, n] are taken; channels-last, a fixed batch of 3 and no shape are refused', async (t) => {
  t.deepEqual((await read(convnet())).spec!.input, [1, 6, 6]);
  t.deepEqual((await read({ input: [1, 4] })).spec!.input, [4]);
  await refuses(t, { ...convnet(), input: ['N', 6, 6, 1] }, "graph input 'x': has shape ['N', 6, 6, 1], which looks channels-last (N × H × W × C), expected N × 1 × H × W");
  await refuses(t, { input: [3, 4] }, "graph input 'x': has shape [3, 4], expected a batch first (a name or 1), as in ['batch', 784] or ['batch', 1, 28, 28]");
  await refuses(t, { input: ['batch', 'features'] }, "graph input 'x': has shape ['batch', 'features'], whose sizes after the batch must be numbers to place the layers");
});

test('Conv, MaxPool, Flatten: the layers with stride and pad, the running shape followed to the Gemm', async (t) => {
  t.deepEqual(await layersOf(convnet()), [
    { type: 'convolution', W: 'K', b: 'kb', stride: 1, pad: 0 },
    { type: 'pooling', mode: 'max', size: 2, stride: 2 },
    { type: 'flatten' },
    { type: 'affine', W: 'W', b: 'b', transpose: true },
  ]);
  const padded = convnet({ pads: ints([1, 1, 1, 1]), strides: ints([2, 2]), auto_pad: str('NOTSET'), dilations: ints([1, 1]), group: int(1), kernel_shape: ints([3, 3]) },
    node('AveragePool', ['c'], ['p'], { kernel_shape: ints([3, 3]), strides: ints([1, 1]) }), 2);
  // 6 + 2 − 3 = 5, /2 → 3 rows; pooling 3 × 3 by 1 → 1: 2 × 1 × 1.
  t.deepEqual((await layersOf(padded)).slice(0, 2), [{ type: 'convolution', W: 'K', b: 'kb', stride: 2, pad: 1 }, { type: 'pooling', mode: 'average', size: 3, stride: 1 }]);
  await refuses(t, convnet({}, undefined, 9), "node 4 'fc' (Gemm): its B 'W' has shape (3, 9) (transB=1: out × in), which takes 9 values, but the running tensor has 8");
});

test('Conv with group 2, dilation 2, asymmetric pads, SAME padding or strides that differ is refused', async (t) => {
  await refuses(t, convnet({ group: int(2) }), "node 1 'conv' (Conv): group=2 is not supported, expected 1");
  await refuses(t, convnet({ dilations: ints([2, 2]) }), "node 1 'conv' (Conv): dilations=[2, 2] are not supported, expected 1");
  await refuses(t, convnet({ pads: ints([0, 0, 1, 1]) }), "node 1 'conv' (Conv): pads=[0, 0, 1, 1] are not the same on every side, expected one symmetric pad");
  await refuses(t, convnet({ auto_pad: str('SAME_UPPER') }), "node 1 'conv' (Conv): auto_pad='SAME_UPPER' is not supported, expected NOTSET (with pads) or VALID");
  await refuses(t, convnet({ strides: ints([1, 2]) }), "node 1 'conv' (Conv): strides=[1, 2] differ between height and width, expected one value for both");
  await refuses(t, convnet({ kernel_shape: ints([5, 5]) }), "node 1 'conv' (Conv): kernel_shape=[5, 5] does not match W's 3 × 3");
});

test('pooling with pads, ceil_mode or column-major indices is refused; a 2 × 3 window is [2, 3]', async (t) => {
  const pool = (attributes: Record<string, ReturnType<typeof int>>, op = 'MaxPool') => convnet({}, node(op, ['c'], ['p'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ...attributes }, 'pool'));
  await refuses(t, pool({ pads: ints([1, 1, 1, 1]) }), "node 2 'pool' (MaxPool): pads=[1, 1, 1, 1] are not supported for pooling, expected none");
  await refuses(t, pool({ ceil_mode: int(1) }), "node 2 'pool' (MaxPool): ceil_mode=1 is not supported, expected 0");
  await refuses(t, pool({ storage_order: int(1) }), "node 2 'pool' (MaxPool): storage_order=1 (column major) is not supported, expected 0");
  await refuses(t, pool({ ceil_mode: int(1) }, 'AveragePool'), "node 2 'pool' (AveragePool): ceil_mode=1 is not supported, expected 0");
  const wide = convnet({}, node('MaxPool', ['c'], ['p'], { kernel_shape: ints([2, 3]), strides: ints([2, 2]) }), 2 * 2 * 1);
  t.deepEqual((await layersOf(wide))[1], { type: 'pooling', mode: 'max', size: [2, 3], stride: 2 });
});

test('Reshape to a constant [-1, K], [0, -1] (an initializer or a Constant node) is a flatten; any other reshape is refused', async (t) => {
  const reshape = (shape: number[], viaConstant = false): ModelOptions => {
    const base = convnet();
    const nodes = [...base.nodes!];
    nodes[2] = node('Reshape', ['p', 'shape'], ['f'], {}, 'reshape');
    if (viaConstant) nodes.splice(2, 0, node('Constant', [], ['shape'], { value: tensorAttr({ dims: [shape.length], data_type: INT64, int64_data: shape }) }, 'const'));
    const initializers = viaConstant ? base.initializers! : [...base.initializers!, { name: 'shape', dims: [shape.length], data_type: INT64, raw_data: i64(shape) }];
    return { ...base, nodes, initializers };
  };
  t.is((await layersOf(reshape([-1, 8])))[2].type, 'flatten');
  t.is((await layersOf(reshape([0, -1], true)))[2].type, 'flatten');
  t.deepEqual((await read(reshape([-1, 8]))).arrays.has('shape'), false);
  await refuses(t, reshape([2, -1]), "node 3 'reshape' (Reshape): reshapes (batch, 2, 2, 2) to [2, -1], expected a flatten: [-1, 8], [0, -1]");
  await refuses(t, reshape([-1, 2, 4]), "node 3 'reshape' (Reshape): reshapes (batch, 2, 2, 2) to [-1, 2, 4], expected a flatten: [-1, 8], [0, -1]");
  const short = reshape([-1, 8]);
  await refuses(t, { ...short, initializers: [...short.initializers!.slice(0, -1), { name: 'shape', dims: [3], data_type: INT64, raw_data: i64([-1, 8]) }] },
    "node 3 'reshape' (Reshape): shape 'shape': has 16 data bytes, expected 24 for shape (3,) INT64");
  const computed = reshape([-1, 8]);
  await refuses(t, { ...computed, initializers: computed.initializers!.filter((i) => i.name !== 'shape'), extraInputs: [] , nodes: [computed.nodes![0], computed.nodes![1], node('Shape', ['p'], ['shape'], {}, 'shape_of'), ...computed.nodes!.slice(2)] },
    "node 3 'shape_of' (Shape): op 'Shape' is not supported, expected one of Constant, Gemm, MatMul, Add, Relu, Sigmoid, Tanh, Softmax, LogSoftmax, Flatten, Reshape, Dropout, Identity, Conv, MaxPool, AveragePool, BatchNormalization");
});

test('BatchNormalization at inference is a batch-norm layer with its epsilon; training mode is refused', async (t) => {
  const base = convnet();
  const bn = (attributes: Record<string, ReturnType<typeof int>>) => ({
    ...base,
    nodes: [base.nodes![0], node('BatchNormalization', ['c', 's', 'sh', 'm', 'v'], ['n'], attributes, 'bn'), { ...base.nodes![1], inputs: ['n'] }, ...base.nodes!.slice(2)],
    initializers: [...base.initializers!, ...['s', 'sh', 'm', 'v'].map((name) => tensor(name, [2]))],
  });
  t.deepEqual((await layersOf(bn({ epsilon: float(0.5), momentum: float(0.9) })))[1], { type: 'batch-norm', scale: 's', shift: 'sh', mean: 'm', variance: 'v', epsilon: 0.5 });
  await refuses(t, bn({ training_mode: int(1) }), "node 2 'bn' (BatchNormalization): training_mode=1 is not supported, expected inference (0)");
});

test('a weight that is an int tensor, or missing, is refused naming the node', async (t) => {
  await refuses(t, { initializers: [{ name: 'W1', dims: [3, 4], data_type: INT64, raw_data: i64(new Array(12).fill(1)) }, ...MLP_INITIALIZERS.slice(1)] },
    "node 1 'Gemm_0' (Gemm): its B 'W1' is not a float tensor, expected a float initializer");
  await refuses(t, { nodes: withNode(0, node('Gemm', ['x', 'W9', 'b1'], ['h1'], { transB: int(1) }, 'Gemm_0')) },
    "node 1 'Gemm_0' (Gemm): takes 'W9', which is neither an initializer nor made by an earlier node");
});

test('a bias-less Conv takes the (C, 1, 1) Add after it as its bias; a Constant\'s float value can be a weight', async (t) => {
  const base = convnet();
  const nodes = [node('Conv', ['x', 'K'], ['c0'], {}, 'conv'), node('Add', ['c0', 'cb'], ['c'], {}, 'bias'), ...base.nodes!.slice(1)];
  const weights = await read({ ...base, nodes, initializers: [...base.initializers!, tensor('cb', [1, 2, 1, 1])] });
  t.deepEqual(weights.spec!.layers[0], { type: 'convolution', W: 'K', b: 'cb@node2', stride: 1, pad: 0 });
  t.deepEqual(weights.arrays.get('cb@node2')!.shape, [2]);
  const constant = node('Constant', [], ['k'], { value_floats: { type: 6, floats: [0.25] } }, 'k');
  const withConstant = [...MLP_NODES.slice(0, 2), constant, node('Add', ['k', 'z1'], ['a']), node('Gemm', ['a', 'W2', 'b2'], ['y'], { transB: int(1) })];
  t.deepEqual((await layersOf({ nodes: withConstant }))[2], { type: 'rescale', scale: 1, offset: 0.25 });
  await refuses(t, { nodes: [node('Constant', [], ['k'], { value_int: int(1), value_float: float(1) }, 'k'), ...MLP_NODES] },
    "node 1 'k' (Constant): a Constant with attributes ['value_int', 'value_float'], expected one of value, value_float, value_floats, value_int, value_ints");
  await refuses(t, { nodes: [...MLP_NODES, node('Constant', [], ['W1'], { value_int: int(1) }, 'again')] },
    "node 5 'again' (Constant): makes 'W1' again, expected each tensor made once");
});
