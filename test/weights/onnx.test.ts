/**
 * The ONNX files of formats/ (torch's dynamo and legacy exporters): the exact layer list, the
 * framework metadata, and exactly the book's arrays, which ONNX stores out × in (transposed).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import test from 'ava';
import { DATA_DIR, FORMATS_DIR, SAMPLE_WEIGHT, SIMPLE_CONVNET, needsData } from '../helpers/data-dir.js';
import type { NdArray } from '../../src/weights/nd-array.js';
import { loadNpzWeights } from '../../src/weights/npz.js';
import { parsePickleWeights } from '../../src/weights/pickle.js';
import { isOnnx, readOnnx } from '../../src/weights/onnx/read-onnx.js';

needsData(test);


const read = (relative: string) => {
  const path = join(FORMATS_DIR, relative);
  return readOnnx({ bytes: readFileSync(path), path, file: basename(path) });
};

/** The matrix transposed, the slow obvious way. */
function transposed(a: NdArray): { shape: number[]; data: number[] } {
  const [rows, cols] = a.shape;
  const data: number[] = [];
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) data.push(a.data[i * cols + j]);
  return { shape: [cols, rows], data };
}

/** Every value as float32 (the ch07 pickle holds float64 the exporter cast). */
const asF32 = (a: NdArray | { shape: number[]; data: ArrayLike<number> }) => ({ shape: [...a.shape], data: Array.from(a.data, (v) => Math.fround(v)) });

const MLP_LAYERS = (activation: string) => [
  { type: 'affine', W: 'fc1.weight', b: 'fc1.bias', transpose: true },
  { type: activation },
  { type: 'affine', W: 'fc2.weight', b: 'fc2.bias', transpose: true },
  { type: activation },
  { type: 'affine', W: 'fc3.weight', b: 'fc3.bias', transpose: true },
  { type: 'softmax' },
];

const book = () => parsePickleWeights(readFileSync(SAMPLE_WEIGHT), 'sample_weight.pkl');

for (const [file, producer, ir, opset] of [['ch03_dynamo.onnx', 'pytorch 2.13.0+cpu', '10', '18'], ['ch03_legacy.onnx', 'pytorch 2.13.0', '7', '13']]) {
  test(`${file}: the ch03 MLP as Gemm(transB=1) layers, with the book's weights transposed`, async (t) => {
    const weights = await read(file);
    t.is(weights.format, 'onnx');
    t.is(weights.matrices, 'out-in');
    t.deepEqual(weights.spec, { name: file.replace('.onnx', ''), input: [784], layers: MLP_LAYERS('sigmoid') });
    t.deepEqual(weights.metadata, { producer, ir_version: ir, opset, graph: 'main_graph' });
    t.deepEqual([...weights.arrays.keys()], ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    const expected = book();
    for (const layer of [1, 2, 3]) {
      const W = weights.arrays.get(`fc${layer}.weight`)!;
      const b = weights.arrays.get(`fc${layer}.bias`)!;
      t.is(W.dtype, 'float32');
      t.deepEqual(asF32(W), asF32(transposed(expected.get(`W${layer}`)!)), `fc${layer}.weight = W${layer}ᵀ`);
      t.deepEqual(asF32(b), asF32(expected.get(`b${layer}`)!), `fc${layer}.bias = b${layer}`);
    }
  });
}

test('ch07.onnx: the SimpleConvNet (Conv, Relu, MaxPool, Reshape [-1, 4320] as a flatten, Gemm …), with the book\'s float64 params cast to float32', async (t) => {
  const weights = await read('ch07.onnx');
  t.deepEqual(weights.spec, {
    name: 'ch07',
    input: [1, 28, 28],
    layers: [
      { type: 'convolution', W: 'conv1.weight', b: 'conv1.bias', stride: 1, pad: 0 },
      { type: 'relu' },
      { type: 'pooling', mode: 'max', size: 2, stride: 2 },
      { type: 'flatten' },
      { type: 'affine', W: 'fc1.weight', b: 'fc1.bias', transpose: true },
      { type: 'relu' },
      { type: 'affine', W: 'fc2.weight', b: 'fc2.bias', transpose: true },
      { type: 'softmax' },
    ],
  });
  t.deepEqual(weights.metadata, { producer: 'pytorch 2.13.0+cpu', ir_version: '10', opset: '18', graph: 'main_graph' });
  // val_6, the Reshape's int64 shape, is used and left out of the arrays.
  t.deepEqual([...weights.arrays.keys()], ['conv1.weight', 'conv1.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  const expected = parsePickleWeights(readFileSync(SIMPLE_CONVNET), 'simple_convnet_params.pkl');
  t.deepEqual(asF32(weights.arrays.get('conv1.weight')!), asF32(expected.get('W1')!), 'conv1.weight = W1 (OIHW in both)');
  t.deepEqual(asF32(weights.arrays.get('conv1.bias')!), asF32(expected.get('b1')!));
  t.deepEqual(asF32(weights.arrays.get('fc1.weight')!), asF32(transposed(expected.get('W2')!)), 'fc1.weight = W2ᵀ');
  t.deepEqual(asF32(weights.arrays.get('fc1.bias')!), asF32(expected.get('b2')!));
  t.deepEqual(asF32(weights.arrays.get('fc2.weight')!), asF32(transposed(expected.get('W3')!)), 'fc2.weight = W3ᵀ');
  t.deepEqual(asF32(weights.arrays.get('fc2.bias')!), asF32(expected.get('b3')!));
});

test('fashion/fashion_mlp.onnx: 784-128-10 with relu, the .npz\'s weights transposed', async (t) => {
  const weights = await read('fashion/fashion_mlp.onnx');
  t.deepEqual(weights.spec, {
    name: 'fashion_mlp',
    input: [784],
    layers: [
      { type: 'affine', W: '0.0.weight', b: '0.0.bias', transpose: true },
      { type: 'relu' },
      { type: 'affine', W: '0.2.weight', b: '0.2.bias', transpose: true },
      { type: 'softmax' },
    ],
  });
  t.deepEqual(weights.metadata, { producer: 'pytorch 2.13.0', ir_version: '7', opset: '13', graph: 'main_graph' });
  const npz = await loadNpzWeights(join(FORMATS_DIR, 'fashion/fashion_mlp.npz'));
  t.deepEqual(asF32(weights.arrays.get('0.0.weight')!), asF32(transposed(npz.get('W1')!)));
  t.deepEqual(asF32(weights.arrays.get('0.0.bias')!), asF32(npz.get('b1')!));
  t.deepEqual(asF32(weights.arrays.get('0.2.weight')!), asF32(transposed(npz.get('W2')!)));
  t.deepEqual(asF32(weights.arrays.get('0.2.bias')!), asF32(npz.get('b2')!));
});

test('isOnnx tells the ONNX files from the other formats of formats/ and the book\'s files', (t) => {
  const onnx = ['ch03_dynamo.onnx', 'ch03_legacy.onnx', 'ch07.onnx', 'fashion/fashion_mlp.onnx'];
  for (const file of onnx) t.true(isOnnx(readFileSync(join(FORMATS_DIR, file))), file);
  const others = ['ch03.h5', 'ch03.keras', 'ch03.safetensors', 'ch03.weights.h5', 'ch03_state_dict.pt', 'ch03_state_dict_legacy.pt', 'ch03_torch.safetensors', 'fashion/fashion_mlp.npz', 'bad/ch03_full_model.pt'];
  for (const file of others) t.false(isOnnx(readFileSync(join(FORMATS_DIR, file))), file);
  t.false(isOnnx(readFileSync(SAMPLE_WEIGHT)), 'sample_weight.pkl');
  t.false(isOnnx(readFileSync(join(DATA_DIR, 't10k-images-idx3-ubyte.gz'))), 'the images');
});
