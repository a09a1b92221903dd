/**
 * The float64 convnet kernel (`wasm-simd-f64`, assembly/convnet.ts): its probabilities against the
 * JavaScript kernel's float64 pass (`createPredict`) on convnets of every shape it takes, and
 * against numpy's on the book's ch. 7 weights and the ch. 8 fixture; which networks it takes; the
 * plan that gives a convnet a worker from 10,000 images.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { createForwardKernel, resolveKernel } from '../../src/kernels/forward-kernel.js';
import { convnetKernelSupport, createConvnetPass } from '../../src/kernels/wasm-convnet-kernel.js';
import { buildNetwork } from '../../src/model/build-network.js';
import { inferMlp } from '../../src/model/infer-mlp.js';
import type { LayerSpec, ModelSpec } from '../../src/model/model-spec.js';
import { loadModel } from '../../src/model/load-model.js';
import { pixelSteps, pixelTable, toInput } from '../../src/nn/input.js';
import type { Network } from '../../src/nn/network.js';
import { createPredict } from '../../src/nn/predict.js';
import { forwardPassInWorkers } from '../../src/operators/forward-pass-workers.js';
import { CONVNET_WORKERS_FROM_IMAGES, MAX_BATCH_SIZE, planForward } from '../../src/operators/forward-plan.js';
import type { Batch } from '../../src/types.js';
import type { WeightArrays } from '../../src/weights/nd-array.js';
import { IMAGES_GZ, SIMPLE_CONVNET, withData } from '../helpers/data-dir.js';
import { f32, f64, modelFixture } from '../helpers/model-fixtures.js';
import { randomValues } from '../helpers/slow-layers.js';

/** Probabilities may differ from float64 sums in another order by this much; predictions not at all. */
const TOLERANCE = 1e-12;

/** Pixels with about 80% zeros, as MNIST, from a seed. */
function pixels(count: number, size: number, seed: number): Uint8Array {
  const values = randomValues(seed, count * size, 0.8);
  return Uint8Array.from(values, (v) => (v === 0 ? 0 : Math.floor(Math.abs(v) * 255.99)));
}

/** A float64 convnet of `layers` over H × W images, its arrays filled from seeds (a third of the weights 0). */
function convnet(layers: readonly LayerSpec[], shapes: Record<string, number[]>, imageShape: [number, number], precision: 'float32' | 'float64' = 'float64'): Network {
  const arrays: WeightArrays = new Map();
  let seed = 1;
  for (const [name, shape] of Object.entries(shapes)) {
    const values = randomValues(seed++, shape.reduce((a, b) => a * b, 1));
    arrays.set(name, (precision === 'float64' ? f64 : f32)(shape, (i) => values[i]));
  }
  const spec: ModelSpec = { name: 'test-convnet', layers };
  return buildNetwork(spec, arrays, { file: 'test.pkl', imageShape });
}

/** The JavaScript kernel's float64 probabilities (createPredict), the reference here. */
function jsProbabilities(network: Network, x: Uint8Array, count: number, normalize = true): Float64Array {
  const input = new Float64Array(count * network.inputSize);
  toInput(x.subarray(0, input.length), pixelTable(pixelSteps(network, normalize)), input);
  return Float64Array.from(createPredict(network, count)({ rows: count, cols: network.inputSize, data: input }).data);
}

const argmaxes = (y: ArrayLike<number>, cols: number): number[] =>
  Array.from({ length: y.length / cols }, (_, i) => {
    let best = 0;
    for (let j = 1; j < cols; j++) if (y[i * cols + j] > y[i * cols + best]) best = j;
    return best;
  });

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

const CONV = (W: string, b: string, stride = 1, pad = 0): LayerSpec => ({ type: 'convolution', W, b, stride, pad });

/** Convnets of the shapes the kernel must handle: filters not a multiple of 4, positions not a multiple of 4, strides, pads, odd poolings, dropouts. */
const CASES: { name: string; network: () => Network }[] = [
  {
    name: 'the ch. 7 shape, small: conv 5×1×3×3 → relu → pool → affine → relu → affine → softmax',
    network: () => convnet([CONV('W1', 'b1'), { type: 'relu' }, { type: 'pooling', size: 2, stride: 2 }, { type: 'affine', W: 'W2', b: 'b2' }, { type: 'relu' }, { type: 'affine', W: 'W3', b: 'b3' }, { type: 'softmax' }],
      { W1: [5, 1, 3, 3], b1: [5], W2: [5 * 6 * 6, 9], b2: [9], W3: [9, 3], b3: [3] }, [14, 14]),
  },
  {
    name: 'stride 2, pad 2, no ReLU, then pad 1 with an odd pooling (7 → 3) and dropouts',
    network: () => convnet([CONV('W1', 'b1', 2, 2), CONV('W2', 'b2', 1, 1), { type: 'relu' }, { type: 'pooling', size: 2, stride: 2 }, { type: 'dropout', ratio: 0.3 }, { type: 'flatten' },
      { type: 'affine', W: 'W3', b: 'b3' }, { type: 'dropout', ratio: 0.5 }, { type: 'softmax' }],
    { W1: [7, 1, 5, 5], b1: [7], W2: [6, 7, 3, 3], b2: [6], W3: [6 * 3 * 3, 10], b3: [10] }, [11, 11]),
  },
  {
    name: 'the ch. 8 shape, small: conv pairs with pads 1, 1, 2, a pooling after each pair, 16 and 8 filters',
    network: () => convnet([CONV('W1', 'b1', 1, 1), { type: 'relu' }, CONV('W2', 'b2', 1, 1), { type: 'relu' }, { type: 'pooling', size: 2, stride: 2 },
      CONV('W3', 'b3', 1, 2), { type: 'relu' }, { type: 'pooling', size: 2, stride: 2 }, { type: 'affine', W: 'W4', b: 'b4' }, { type: 'relu' }, { type: 'dropout', ratio: 0.5 },
      { type: 'affine', W: 'W5', b: 'b5' }, { type: 'dropout', ratio: 0.5 }, { type: 'softmax' }],
    { W1: [16, 1, 3, 3], b1: [16], W2: [16, 16, 3, 3], b2: [16], W3: [8, 16, 3, 3], b3: [8], W4: [8 * 4 * 4, 12], b4: [12], W5: [12, 10], b5: [10] }, [12, 12]),
  },
  {
    name: 'a pooling without a ReLU (max of the raw sums), a ReLU after the pooling, logits out (no softmax)',
    network: () => convnet([CONV('W1', 'b1'), { type: 'pooling', size: 2, stride: 2 }, { type: 'relu' }, { type: 'affine', W: 'W2', b: 'b2' }],
      { W1: [3, 1, 2, 2], b1: [3], W2: [3 * 4 * 4, 4], b2: [4] }, [9, 9]),
  },
];

for (const { name, network: make } of CASES) {
  test(`wasm-simd-f64 agrees with the JavaScript kernel's float64 pass: ${name}`, (t) => {
    const network = make();
    t.deepEqual(convnetKernelSupport(network), { ok: true });
    const maxBatchSize = 7;
    const pass = createConvnetPass(network, { normalize: true, maxBatchSize });
    const kernel = createForwardKernel(network, 'wasm-simd-f64', { normalize: true, maxBatchSize });
    for (const count of [1, 4, 7, 3]) {
      const x = pixels(count, network.inputSize, count * 17);
      const expected = jsProbabilities(network, x, count);
      const y = pass.run(x, count);
      t.is(y.length, expected.length);
      t.true(largestDifference(y, expected) <= TOLERANCE, `${count} images: largest difference ${largestDifference(y, expected)}`);
      const { predicted, confidence } = kernel.forward(x, count);
      t.deepEqual([...predicted], argmaxes(expected, network.outputSize));
      t.deepEqual([...confidence], argmaxes(expected, network.outputSize).map((j, i) => Math.fround(expected[i * network.outputSize + j])));
    }
  });
}

test('wasm-simd-f64: raw pixels (--no-normalize), blank and saturated images, and batches past a chunk (256 images)', (t) => {
  const network = CASES[0].network();
  const count = 300;
  const x = pixels(count, network.inputSize, 5);
  x.fill(0, 0, network.inputSize);
  x.fill(255, network.inputSize, 2 * network.inputSize);
  for (const normalize of [true, false]) {
    const y = createConvnetPass(network, { normalize, maxBatchSize: count }).run(x, count);
    const expected = jsProbabilities(network, x, count, normalize);
    t.true(largestDifference(y, expected) <= TOLERANCE, `normalize ${normalize}: ${largestDifference(y, expected)}`);
    t.deepEqual(argmaxes(y, network.outputSize), argmaxes(expected, network.outputSize));
  }
});

test('wasm-simd-f64 sizes its memory for a chunk of 256 images: the largest batch size makes a kernel, which runs any batch up to it', (t) => {
  const network = CASES[0].network();
  const kernel = createForwardKernel(network, 'wasm-simd-f64', { normalize: true, maxBatchSize: MAX_BATCH_SIZE });
  const x = pixels(3, network.inputSize, 9);
  t.deepEqual([...kernel.forward(x, 3).predicted], argmaxes(jsProbabilities(network, x, 3), network.outputSize));
});

test('wasm-simd-f64 gives what the JavaScript kernel gives for hostile weights: infinities, NaN, sums that overflow', (t) => {
  type Conv = Extract<Network['layers'][number], { kind: 'convolution' }>;
  type Affine = Extract<Network['layers'][number], { kind: 'affine' }>;
  const convOf = (network: Network) => network.layers[0] as Conv;
  const affineOf = (network: Network) => network.layers.find((layer) => layer.kind === 'affine') as Affine;
  const x = pixels(6, CASES[1].network().inputSize, 3);
  const run = (network: Network, name: 'wasm-simd-f64' | 'js-f64') => {
    const { predicted, confidence } = createForwardKernel(network, name, { normalize: true, maxBatchSize: 6 }).forward(x, 6);
    return { predicted: [...predicted], confidence: [...confidence] };
  };
  const clean = run(CASES[1].network(), 'js-f64');
  for (const [name, poison] of [
    ['an infinite filter weight', (network: Network) => { convOf(network).W.data[3] = Infinity; }],
    ['a NaN bias', (network: Network) => { convOf(network).b[1] = Number.NaN; }],
    ['affine weights whose sums overflow', (network: Network) => { affineOf(network).W.data.fill(1e308, 0, 40); }],
  ] as const) {
    const network = CASES[1].network();
    poison(network);
    const js = run(network, 'js-f64');
    t.notDeepEqual(js, clean, `${name} changes the outputs`);
    t.deepEqual(run(network, 'wasm-simd-f64'), js, name);
  }
});

test('wasm-simd-f64 refuses a batch larger than its buffers', (t) => {
  const network = CASES[0].network();
  const kernel = createForwardKernel(network, 'wasm-simd-f64', { normalize: true, maxBatchSize: 2 });
  t.throws(() => kernel.forward(new Uint8Array(3 * network.inputSize), 3), { instanceOf: RangeError, message: 'batch of 3 images exceeds 2' });
});

test('which networks it takes: float64 convnets of its layers; auto picks it for them, and js for the rest', (t) => {
  const relu = CASES[0].network();
  t.is(resolveKernel(relu), 'wasm-simd-f64');
  t.is(resolveKernel(relu, 'wasm-simd-f64'), 'wasm-simd-f64');
  t.is(resolveKernel(relu, 'js'), 'js-f64');
  const sigmoid = convnet([CONV('W1', 'b1'), { type: 'sigmoid' }, { type: 'affine', W: 'W2', b: 'b2' }, { type: 'softmax' }], { W1: [2, 1, 3, 3], b1: [2], W2: [2 * 4 * 4, 3], b2: [3] }, [6, 6]);
  t.deepEqual(convnetKernelSupport(sigmoid), { ok: false, reason: 'it has no sigmoid layer' });
  t.is(resolveKernel(sigmoid), 'js-f64');
  t.throws(() => resolveKernel(sigmoid, 'wasm-simd-f64'), { instanceOf: RangeError, message: 'the wasm-simd-f64 kernel cannot run this network: it has no sigmoid layer' });
  const average = convnet([CONV('W1', 'b1'), { type: 'pooling', size: 2, stride: 2, mode: 'average' } as LayerSpec, { type: 'affine', W: 'W2', b: 'b2' }], { W1: [2, 1, 3, 3], b1: [2], W2: [2 * 2 * 2, 3], b2: [3] }, [6, 6]);
  t.false(convnetKernelSupport(average).ok);
  const wide = convnet([CONV('W1', 'b1'), { type: 'relu' }, { type: 'pooling', size: 3, stride: 3 }, { type: 'affine', W: 'W2', b: 'b2' }], { W1: [2, 1, 3, 3], b1: [2], W2: [2 * 2 * 2, 3], b2: [3] }, [8, 8]);
  t.deepEqual(convnetKernelSupport(wide), { ok: false, reason: 'its poolings must be 2 × 2 max poolings every 2 cells, right after a convolution (and its ReLU)' });
  const single = convnet([CONV('W1', 'b1'), { type: 'relu' }, { type: 'affine', W: 'W2', b: 'b2' }], { W1: [2, 1, 3, 3], b1: [2], W2: [2 * 4 * 4, 3], b2: [3] }, [6, 6], 'float32');
  t.deepEqual(convnetKernelSupport(single), { ok: false, reason: 'it computes in float64, the network is float32' });
  const mlp = inferMlp(new Map([['W1', f64([4, 3], (i) => i / 10)], ['b1', f64([3])]]), 'mlp.pkl', { inputSize: 4 });
  t.deepEqual(convnetKernelSupport(mlp), { ok: false, reason: 'the first layer must be a convolution' });
  t.is(resolveKernel(mlp), 'js-f64');
  t.throws(() => createForwardKernel(mlp, 'wasm-simd-f64', { normalize: true, maxBatchSize: 1 }), { instanceOf: RangeError, message: 'the wasm-simd-f64 kernel cannot run this network: the first layer must be a convolution' });
});

test('the plan: a convnet takes one worker (the main thread sharing) from 10,000 images, --workers 0 keeps the main thread', (t) => {
  const network = CASES[0].network();
  const twoCores = availableParallelism() > 1;
  t.like(planForward(network, {}, CONVNET_WORKERS_FROM_IMAGES), twoCores ? { kernel: 'wasm-simd-f64', workers: 1, shareWithMain: true } : { workers: 0 });
  t.like(planForward(network, {}, CONVNET_WORKERS_FROM_IMAGES - 1), { kernel: 'wasm-simd-f64', workers: 0, shareWithMain: false });
  t.like(planForward(network, { workers: 0 }, 60_000), { workers: 0, shareWithMain: false });
  t.throws(() => planForward(network, { threads: 2 }, 100), { instanceOf: RangeError, message: "threads (2) split the wasm kernel's batches, but this network runs on the wasm-simd-f64 kernel, which uses one thread" });
  // An MLP keeps the MLP's threshold.
  const mlp = inferMlp(new Map([['W1', f64([4, 3], (i) => i / 10)], ['b1', f64([3])]]), 'mlp.pkl', { inputSize: 4 });
  t.like(planForward(mlp, {}, CONVNET_WORKERS_FROM_IMAGES), { workers: 0 });
});

test('forward workers run the convnet kernel and give what the main thread gives, batch for batch', async (t) => {
  const network = CASES[2].network();
  const size = network.inputSize;
  const input: Batch[] = Array.from({ length: 12 }, (_, b) => ({ start: b * 6, count: b === 11 ? 4 : 6, size, pixels: pixels(b === 11 ? 4 : 6, size, 100 + b), labels: new Uint8Array(6) }));
  const kernel = createForwardKernel(network, 'wasm-simd-f64', { normalize: true, maxBatchSize: 6 });
  const expected = input.map((batch) => {
    const { predicted, confidence } = kernel.forward(batch.pixels, batch.count);
    return { start: batch.start, predicted: [...predicted], confidence: [...confidence] };
  });
  for (const shareWithMain of [false, true]) {
    const got = await lastValueFrom(from(input).pipe(
      forwardPassInWorkers(network, { batchSize: 6, normalize: true, workers: 1, kernel: 'wasm-simd-f64', shareWithMain }, { coverStartUp: false }),
      map((b) => ({ start: b.start, predicted: [...b.predicted], confidence: [...b.confidence] })),
      toArray(),
    ));
    t.deepEqual(got, expected, shareWithMain ? 'the main thread sharing' : 'the worker alone');
  }
});

/** numpy's probabilities (the book's layers, test/reference/convnet_reference.py) for the first `limit` test images. */
async function numpyProbabilities(weights: string, model: string, limit: number): Promise<number[][]> {
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(join(import.meta.dirname, '../reference'))})`,
    'import numpy as np, convnet_reference as ref',
    'images, weights, model, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])',
    'params = ref.load_params(weights)',
    "layers = (ref.simple_convnet(params) if model == 'simple-convnet' else ref.deep_convnet(params)) + [ref.Softmax()]",
    'x = ref.read_idx(images, 16).reshape(-1, 1, 28, 28).astype(np.float32)[:limit] / np.float32(255.0)',
    'out = []',
    'for i in range(0, len(x), 100):',
    '    y = x[i:i + 100]',
    '    for layer in layers: y = layer.forward(y)',
    '    out += y.tolist()',
    'print(json.dumps(out))',
  ].join('\n');
  const { stdout } = await promisify(execFile)('python3', ['-c', script, IMAGES_GZ, weights, model, String(limit)], { maxBuffer: 1 << 28 });
  return JSON.parse(stdout) as number[][];
}

async function agreesWithNumpy(t: import('ava').ExecutionContext, model: string, weights: string, limit: number): Promise<void> {
  const { network } = await loadModel({ model, weights, imageShape: [28, 28] });
  t.is(resolveKernel(network), 'wasm-simd-f64');
  const images = gunzipSync(readFileSync(IMAGES_GZ)).subarray(16, 16 + limit * 784);
  const pass = createConvnetPass(network, { normalize: true, maxBatchSize: 100 });
  const ours: number[] = [];
  for (let i = 0; i < limit; i += 100) ours.push(...pass.run(images.subarray(i * 784), Math.min(100, limit - i)));
  const theirs = (await numpyProbabilities(weights, model, limit)).flat();
  const difference = largestDifference(ours, theirs);
  t.log(`${model}, ${limit} images: largest probability difference from numpy ${difference.toExponential(2)}`);
  t.true(difference <= TOLERANCE);
  t.deepEqual(argmaxes(ours, 10), argmaxes(theirs, 10));
}

test('the ch. 7 simple convnet (the book\'s weights): numpy\'s probabilities within 1e-12 on 1,000 images, its predictions exactly', withData(async (t) => {
  await agreesWithNumpy(t, 'simple-convnet', SIMPLE_CONVNET, 1000);
}));

test('the ch. 8 deep convnet (the fixed random weights of make-models.py): numpy\'s probabilities within 1e-12 on 200 images', withData(async (t) => {
  await agreesWithNumpy(t, 'deep-convnet', await modelFixture('deep-convnet.pkl'), 200);
}));
