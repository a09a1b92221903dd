/**
 * The WebAssembly module's math, call by call, in both builds: the cheap exp against Math.exp,
 * sigmoid's saturation and flush, softmax's argmax and 1 / Σ e^(a - max), and the dense layer's
 * register tiles against the obvious float32 sum for every shape of leftover rows and columns.
 */
import test from 'ava';
import { kernelInstance, relaxedSimdSupported, type KernelBuild } from '../../src/wasm/module.js';

const BUILDS: readonly KernelBuild[] = ['simd', 'relaxed-simd'];
const f32Of = Math.fround;
relaxedSimdSupported(); // sets Node 20's flag before the relaxed build is compiled

/** A fresh instance with `floats` float32s of room, and a view of them. */
function instance(build: KernelBuild, floats: number) {
  const { k, memory, base } = kernelInstance(floats * 4, build);
  return { k, base, f32: new Float32Array(memory.buffer, base, floats), i32: new Int32Array(memory.buffer, base, floats) };
}

for (const build of BUILDS) {
  test(`${build}: exp is within 2.5e-7 of Math.exp (relative) from -87 to 88, 0 gives 1, NaN stays NaN`, (t) => {
    const n = 1 << 18;
    const { k, base, f32 } = instance(build, 2 * n);
    let worst = 0;
    let at = 0;
    for (const [lo, hi] of [[-87, 88], [-1, 1], [-1e-3, 1e-3]]) {
      for (let i = 0; i < n; i++) f32[i] = lo + ((hi - lo) * i) / (n - 1);
      k.expInto(base, n, base + n * 4);
      for (let i = 0; i < n; i++) {
        const exact = Math.exp(f32[i]);
        const error = Math.abs(f32[n + i] - exact) / exact;
        if (error > worst) [worst, at] = [error, f32[i]];
      }
    }
    t.true(worst < 2.5e-7, `relative error ${worst} at x = ${at}`);
    f32.set([0, Number.NaN, 1, -1]);
    k.expInto(base, 4, base + n * 4);
    t.is(f32[n], 1);
    t.true(Number.isNaN(f32[n + 1]));
    t.true(Math.abs(f32[n + 2] - Math.E) < 1e-6 && Math.abs(f32[n + 3] - 1 / Math.E) < 1e-6);
  });

  test(`${build}: exp clamps its argument to [-87, 88], so 2^n stays a normal float`, (t) => {
    const { k, base, f32 } = instance(build, 16);
    f32.set([-1000, -87, 88, 1000, -Infinity, Infinity, -88, 89]);
    k.expInto(base, 8, base + 32);
    const out = [...f32.subarray(8, 16)];
    t.deepEqual(out.map((v) => Number.isFinite(v) && v > 0), Array(8).fill(true));
    t.is(out[0], out[1]);
    t.is(out[4], out[1]);
    t.is(out[6], out[1]);
    t.is(out[2], out[3]);
    t.is(out[5], out[2]);
    t.is(out[7], out[2]);
    t.true(Math.abs(out[1] / Math.exp(-87) - 1) < 3e-7 && Math.abs(out[2] / Math.exp(88) - 1) < 3e-7);
  });

  test(`${build}: sigmoid saturates to exactly 1 and 0, flushing outputs below 1e-30 to 0, and is 1/2 at 0`, (t) => {
    const { k, base, f32 } = instance(build, 8);
    f32.set([0, 1000, -1000, 20, -20, -69, -70, Infinity]);
    k.sigmoidInPlace(base, 8);
    t.is(f32[0], 0.5);
    t.is(f32[1], 1);
    t.is(f32[2], 0);
    t.is(f32[3], 1); // 1 - 2e-9 rounds to 1 in float32
    t.true(Math.abs(f32[4] / (1 / (1 + Math.exp(20))) - 1) < 1e-6);
    t.true(f32[5] > 1e-30 && Math.abs(f32[5] / Math.exp(-69) - 1) < 1e-6); // e^-69 ≈ 1.0e-30
    t.is(f32[6], 0); // e^-70 ≈ 4e-31: flushed
    t.is(f32[7], 1);
  });

  test(`${build}: sigmoid is 1 / (1 + e^-a) with the module's own exp, bit for bit (its e^-a skips the negation)`, (t) => {
    const n = 4096;
    const { k, base, f32 } = instance(build, 3 * n);
    for (let i = 0; i < n; i++) f32[i] = -f32Of(-100 + (200 * i) / n);
    k.expInto(base, n, base + n * 4); // e^-a, a = -f32[i]
    for (let i = 0; i < n; i++) f32[2 * n + i] = -f32[i];
    k.sigmoidInPlace(base + 2 * n * 4, n);
    const differing = [];
    for (let i = 0; i < n; i++) {
      const z = f32Of(1 / f32Of(1 + f32[n + i]));
      if (f32[2 * n + i] !== (z < 1e-30 ? 0 : z)) differing.push(f32[2 * n + i]);
    }
    t.deepEqual(differing, []);
  });

  test(`${build}: softmax's argmax is the logits' first largest, its confidence 1 / Σ e^(a - max) over the real columns only`, (t) => {
    const rows = 3;
    const stride = 12;
    const { k, base, f32, i32 } = instance(build, rows * stride + 2 * rows);
    // Ten columns; the two padding lanes hold large values that must not count.
    const logits = [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [5, 9, 9, 1, 0, 0, 0, 0, 0, 0],
      [-1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000, 1000],
    ];
    logits.forEach((row, i) => f32.set([...row, 50, 50], i * stride));
    const predicted = base + rows * stride * 4;
    k.softmaxArgmax(base, rows, 10, stride, predicted, predicted + rows * 4);
    t.deepEqual([...i32.subarray(rows * stride, rows * stride + rows)], [9, 1, 9]);
    const confidence = [...f32.subarray(rows * stride + rows, rows * stride + 2 * rows)];
    const exact = logits.map((row) => 1 / row.reduce((sum, a) => sum + Math.exp(a - Math.max(...row)), 0));
    for (let i = 0; i < rows; i++) t.true(Math.abs(confidence[i] - exact[i]) < 1e-6, `row ${i}: ${confidence[i]} vs ${exact[i]}`);
    t.is(confidence[2], 1);
  });

  test(`${build}: the dense layer's tiles give the float32 sum over k in order, for every leftover of rows and columns`, (t) => {
    for (const [rows, inner, cols] of [[1, 1, 1], [3, 5, 4], [4, 7, 8], [5, 3, 12], [9, 50, 100], [8, 13, 20], [7, 2, 36]]) {
      const xStride = (inner + 3) & ~3;
      const stride = (cols + 3) & ~3;
      const sizes = { x: rows * xStride, W: inner * stride, b: stride, y: rows * stride };
      const { k, base, f32 } = instance(build, sizes.x + sizes.W + sizes.b + sizes.y);
      const [x, W, b, y] = [0, sizes.x, sizes.x + sizes.W, sizes.x + sizes.W + sizes.b];
      const value = (i: number) => Math.fround(Math.sin(i * 12.9898) * 0.5);
      for (let r = 0; r < rows; r++) for (let c = 0; c < inner; c++) f32[x + r * xStride + c] = value(r * 31 + c);
      for (let r = 0; r < inner; r++) for (let c = 0; c < cols; c++) f32[W + r * stride + c] = value(1000 + r * 37 + c);
      for (let c = 0; c < cols; c++) f32[b + c] = value(5000 + c);
      k.affine(base + x * 4, rows, inner, xStride, base + W * 4, base + b * 4, base + y * 4, stride);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          // The plain build rounds each product; the relaxed one may fuse it with the sum.
          let plain = 0;
          let fused = 0;
          for (let q = 0; q < inner; q++) {
            const [xv, wv] = [f32[x + r * xStride + q], f32[W + q * stride + c]];
            plain = Math.fround(plain + Math.fround(xv * wv));
            fused = Math.fround(fused + xv * wv);
          }
          const got = f32[y + r * stride + c];
          const want = [Math.fround(plain + f32[b + c]), Math.fround(fused + f32[b + c])];
          if (build === 'simd') t.is(got, want[0], `${rows}×${inner}·${inner}×${cols}: y[${r}][${c}]`);
          else t.true(want.includes(got), `${rows}×${inner}·${inner}×${cols}: y[${r}][${c}] = ${got}, not ${want.join(' or ')}`);
        }
        for (let c = cols; c < stride; c++) t.is(f32[y + r * stride + c], 0, 'padding lanes stay 0');
      }
    }
  });
}
