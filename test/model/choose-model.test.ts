/** Which model a run builds: the file's own, a preset or JSON model over the file, or an inferred MLP. */
import test from 'ava';
import { InputError, UsageError } from '../../src/errors.js';
import { chooseModelSpec } from '../../src/model/choose-model.js';
import type { ModelSpec } from '../../src/model/model-spec.js';
import { SIMPLE_CONVNET } from '../../src/model/presets.js';
import type { WeightFile } from '../../src/weights/weight-file.js';
import { f32 } from '../helpers/model-fixtures.js';

const own: ModelSpec = { name: 'net', layers: [{ type: 'affine', W: 'fc.weight', transpose: true }, { type: 'softmax' }] };
const onnx: WeightFile = { format: 'onnx', arrays: new Map([['fc.weight', f32([10, 784])]]), spec: own, matrices: 'out-in', metadata: {} };

test('a file that describes its own network is built as it says; --model and --activation are usage errors', (t) => {
  t.is(chooseModelSpec(undefined, onnx, 'net.onnx'), own);
  t.throws(() => chooseModelSpec({ spec: SIMPLE_CONVNET, source: 'preset' }, onnx, 'net.onnx'), {
    instanceOf: UsageError,
    message: '--model: net.onnx describes its own network (onnx); --model is for weight files without one',
  });
  t.throws(() => chooseModelSpec(undefined, onnx, 'net.onnx', 'relu'), {
    instanceOf: UsageError,
    message: '--activation: net.onnx describes its own network (onnx), activations included',
  });
});

test('a .weights.h5 of a convnet is refused: its channels-last weights need the architecture', (t) => {
  const weights: WeightFile = { format: 'keras-weights-h5', arrays: new Map([['conv1/vars/0', f32([5, 5, 1, 30])], ['conv1/vars/1', f32([30])]]), matrices: 'in-out', metadata: {} };
  t.throws(() => chooseModelSpec({ spec: SIMPLE_CONVNET, source: 'preset' }, weights, 'c.weights.h5'), {
    instanceOf: InputError,
    message: 'c.weights.h5: a .weights.h5 of a convolutional network holds no architecture to read its channels-last weights by; give the .keras file (or the legacy .h5) that holds it',
  });
});

test('without a description: a preset bound to the file, a JSON model as written, or an inferred MLP', (t) => {
  const arrays = new Map([['fc1.weight', f32([3, 784])], ['fc1.bias', f32([3])]]);
  const state: WeightFile = { format: 'torch-zip', arrays, matrices: 'out-in', metadata: {} };
  t.deepEqual(chooseModelSpec(undefined, state, 'sd.pt', 'tanh').layers, [{ type: 'affine', W: 'fc1.weight', b: 'fc1.bias', transpose: true }, { type: 'softmax' }]);
  const json: ModelSpec = { name: 'j', layers: [{ type: 'affine', W: 'fc1.weight', b: 'fc1.bias', transpose: true }, { type: 'tanh' }] };
  t.is(chooseModelSpec({ spec: json, source: 'j.json' }, state, 'sd.pt'), json);
});
