import test from 'ava';
import fc from 'fast-check';
import { spawnThread } from '../../src/workers/threads.js';
import { createForwardKernel, resolveKernel, type KernelName } from '../../src/kernels/forward-kernel.js';
import { wasmKernelSupport } from '../../src/kernels/wasm-kernel.js';
import { relaxedSimdSupported } from '../../src/wasm/module.js';
import type { Network } from '../../src/nn/network.js';
import { inferMlp } from '../../src/model/infer-mlp.js';
import type { NdArray, WeightArrays } from '../../src/weights/nd-array.js';

const KERNELS: readonly KernelName[] = ['wasm-relaxed-simd-f32', 'wasm-simd-f32', 'js-f64'];

/** A seeded generator, so a failure repeats. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const f32 = (shape: number[], values: ArrayLike<number>): NdArray => ({ shape, dtype: 'float32', data: Float32Array.from(values) });

/** An MLP of the given widths with weights in -scale..scale: W1, b1 … Wn, bn. */
function mlp(widths: readonly number[], seed: number, scale = 1): WeightArrays {
  const next = random(seed);
  const arrays: WeightArrays = new Map();
  for (let n = 1; n < widths.length; n++) {
    const [rows, cols] = [widths[n - 1], widths[n]];
    arrays.set(`W${n}`, f32([rows, cols], Array.from({ length: rows * cols }, () => (next() * 2 - 1) * scale)));
    arrays.set(`b${n}`, f32([cols], Array.from({ length: cols }, () => (next() * 2 - 1) * scale)));
  }
  return arrays;
}

/** Pixels with about 80% zeros, as MNIST. */
function pixels(count: number, size: number, seed: number): Uint8Array {
  const next = random(seed);
  return Uint8Array.from({ length: count * size }, () => (next() < 0.8 ? 0 : Math.floor(next() * 256)));
}

/** The network's output, the slow and obvious way: float64 throughout, softmax with the row max subtracted. */
function expectedOutput(network: Network, x: Uint8Array, count: number, normalize: boolean): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    let a = Array.from(x.subarray(i * network.inputSize, (i + 1) * network.inputSize), (p) => (normalize ? Math.fround(p / 255) : p));
    for (const layer of network.layers) {
      if (layer.kind === 'affine') {
        const { rows, cols, data } = layer.W;
        a = Array.from({ length: cols }, (_, j) => {
          let sum = 0;
          for (let k = 0; k < rows; k++) sum += a[k] * data[k * cols + j];
          return sum + layer.b[j];
        });
      } else if (layer.kind === 'sigmoid') a = a.map((v) => 1 / (1 + Math.exp(-v)));
      else if (layer.kind === 'relu') a = a.map((v) => Math.max(0, v));
      else if (layer.kind === 'softmax') {
        const max = Math.max(...a);
        const e = a.map((v) => Math.exp(v - max));
        const sum = e.reduce((s, v) => s + v, 0);
        a = e.map((v) => v / sum);
      }
    }
    out.push(a);
  }
  return out;
}

const argmax = (row: number[]): number => row.reduce((best, v, j) => (v > row[best] ? j : best), 0);

for (const name of KERNELS) {
  for (const [widths, activation] of [[[20, 7, 5, 3], 'sigmoid'], [[33, 13, 10], 'relu'], [[784, 50, 100, 10], 'sigmoid']] as const) {
    test(`${name}: ${widths.join('-')} ${activation} MLP agrees with float64 arithmetic, any batch size`, (t) => {
      const network = inferMlp(mlp(widths, widths.length * 7 + widths[1]), 'random.pkl', { inputSize: widths[0], activation });
      const maxBatchSize = 9;
      const kernel = createForwardKernel(network, name, { normalize: true, maxBatchSize });
      for (const count of [1, 4, 9]) {
        const x = pixels(count, widths[0], count);
        const expected = expectedOutput(network, x, count, true);
        const { predicted, confidence } = kernel.forward(x, count);
        t.is(predicted.length, count);
        for (let i = 0; i < count; i++) {
          const margin = [...expected[i]].sort((a, b) => b - a);
          if (margin[0] - margin[1] > 1e-4) t.is(predicted[i], argmax(expected[i]), `image ${i} of ${count}`);
          t.true(Math.abs(confidence[i] - Math.max(...expected[i])) < 1e-5, `confidence ${confidence[i]} vs ${Math.max(...expected[i])}`);
        }
      }
    });
  }

  test(`${name}: huge logits saturate sigmoid and softmax without NaN`, (t) => {
    const network = inferMlp(mlp([16, 8, 4], 3, 1000), 'huge.pkl', { inputSize: 16 });
    const kernel = createForwardKernel(network, name, { normalize: false, maxBatchSize: 4 });
    const x = pixels(4, 16, 5).map((p, i) => (i % 3 === 0 ? 255 : p));
    const { predicted, confidence } = kernel.forward(x, 4);
    const expected = expectedOutput(network, x, 4, false);
    for (let i = 0; i < 4; i++) {
      t.false(Number.isNaN(confidence[i]));
      t.true(confidence[i] > 0 && confidence[i] <= 1);
      t.is(predicted[i], argmax(expected[i]));
    }
  });

  test(`${name}: full batches reuse the same output arrays (no allocation per batch)`, (t) => {
    const network = inferMlp(mlp([20, 7, 3], 1), 'reuse.pkl', { inputSize: 20 });
    const kernel = createForwardKernel(network, name, { normalize: true, maxBatchSize: 5 });
    const first = kernel.forward(pixels(5, 20, 1), 5);
    const second = kernel.forward(pixels(5, 20, 2), 5);
    t.is(first.predicted, second.predicted);
    t.is(first.confidence, second.confidence);
    t.throws(() => kernel.forward(pixels(6, 20, 3), 6), { instanceOf: RangeError });
  });
}

for (const name of ['wasm-simd-f32', 'wasm-relaxed-simd-f32'] as const) {
  test(`${name}: the first layer for pixel counts around its 64-pixel chunks and widths of 1 to 5 register blocks`, (t) => {
    for (const [inputs, classes] of [[63, 33], [64, 64], [65, 100], [128, 130], [200, 29], [784, 36]]) {
      const network = inferMlp(mlp([inputs, classes], inputs + classes, 0.2), 'wide.pkl', { inputSize: inputs });
      const kernel = createForwardKernel(network, name, { normalize: true, maxBatchSize: 6 });
      const x = pixels(6, inputs, inputs);
      x.fill(255, 0, inputs); // an image with no zero pixel
      x.fill(0, inputs, 2 * inputs); // and one with nothing but zeros
      const expected = expectedOutput(network, x, 6, true);
      const { predicted, confidence } = kernel.forward(x, 6);
      for (let i = 0; i < 6; i++) {
        const sorted = [...expected[i]].sort((a, b) => b - a);
        if (sorted[0] - sorted[1] > 1e-4) t.is(predicted[i], argmax(expected[i]), `${inputs} → ${classes}, image ${i}`);
        t.true(Math.abs(confidence[i] - sorted[0]) < 1e-5, `${inputs} → ${classes}, image ${i}: ${confidence[i]} vs ${sorted[0]}`);
      }
    }
  });
}

test('both kernels give the same predictions on random MLPs and pixels (property)', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 8 }), fc.nat(), (inputs, hidden, classes, count, seed) => {
      const network = inferMlp(mlp([inputs, hidden, classes], seed), 'random.pkl', { inputSize: inputs });
      const x = pixels(count, inputs, seed + 1);
      const expected = expectedOutput(network, x, count, true);
      const outputs = KERNELS.map((name) => createForwardKernel(network, name, { normalize: true, maxBatchSize: count }).forward(x, count));
      for (let i = 0; i < count; i++) {
        const sorted = [...expected[i]].sort((a, b) => b - a);
        if (sorted[0] - sorted[1] < 1e-4) continue; // a near tie: either answer is float32-honest
        for (const out of outputs) if (out.predicted[i] !== argmax(expected[i])) return false;
      }
      return true;
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test('auto picks the wasm kernel for a float32 MLP and JavaScript for float64; wasm on float64 says why', (t) => {
  const arrays = mlp([4, 3, 2], 9);
  const float32 = inferMlp(arrays, 'a.pkl', { inputSize: 4 });
  const float64 = inferMlp(arrays, 'a.pkl', { inputSize: 4, precision: 'float64' });
  t.is(resolveKernel(float32), 'wasm-relaxed-simd-f32');
  t.is(resolveKernel(float32, 'wasm'), 'wasm-relaxed-simd-f32');
  t.is(resolveKernel(float32, 'wasm-simd-f32'), 'wasm-simd-f32');
  t.is(resolveKernel(float32, 'wasm-relaxed-simd-f32'), 'wasm-relaxed-simd-f32');
  t.is(resolveKernel(float32, 'js'), 'js-f64');
  t.is(resolveKernel(float64), 'js-f64');
  t.deepEqual(wasmKernelSupport(float64), { ok: false, reason: 'it computes in float32, the network is float64' });
  t.throws(() => resolveKernel(float64, 'wasm'), { message: 'the wasm kernel cannot run this network: it computes in float32, the network is float64' });
  t.throws(() => resolveKernel(float64, 'wasm-relaxed-simd-f32'), { message: 'the wasm kernel cannot run this network: it computes in float32, the network is float64' });
});

test('every Node the project runs on compiles the relaxed-SIMD build (Node 20 once its V8 flag is set), and each kernel says which ran', (t) => {
  t.true(relaxedSimdSupported(), `Node ${process.version}`);
  const network = inferMlp(mlp([4, 3, 2], 9), 'a.pkl', { inputSize: 4 });
  for (const name of KERNELS) t.is(createForwardKernel(network, name, { normalize: true, maxBatchSize: 1 }).name, name);
});

test('the wasm kernel rejects a network it has no layer for', (t) => {
  const network = inferMlp(mlp([4, 3, 2], 9), 'a.pkl', { inputSize: 4 });
  const odd = { ...network, layers: [network.layers[0], { kind: 'pooling' }, ...network.layers.slice(1)] } as unknown as Network;
  t.deepEqual(wasmKernelSupport(odd), { ok: false, reason: 'it has no pooling layer' });
  t.is(resolveKernel(odd), 'js-f64');
});

for (const name of ['wasm-simd-f32', 'wasm-relaxed-simd-f32'] as const) {
  test(`${name} on 3 threads gives, bit for bit, what it gives on one, for any batch size`, async (t) => {
    const network = inferMlp(mlp([50, 21, 9], 17), 'threads.pkl', { inputSize: 50 });
    const one = createForwardKernel(network, name, { normalize: true, maxBatchSize: 64 });
    const three = createForwardKernel(network, name, { normalize: true, maxBatchSize: 64, threads: 3, helperThread: () => spawnThread('kernel-helper') });
    try {
      for (let waited = 0; three.threads < 3; waited += 10) {
        if (waited > 30_000) throw new Error('the helper threads did not start');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      t.is(three.name, name);
      for (const count of [1, 7, 8, 23, 24, 64]) {
        const x = pixels(count, 50, count * 3);
        const a = one.forward(x, count);
        const expected = { predicted: [...a.predicted], confidence: [...a.confidence] };
        const b = three.forward(x, count);
        t.deepEqual({ predicted: [...b.predicted], confidence: [...b.confidence] }, expected, `${count} images`);
      }
    } finally {
      three.close();
    }
  });
}
