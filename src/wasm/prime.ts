/**
 * Priming a build of the MLP kernel: its hot functions taken past V8's baseline tier before the
 * first batch. A throwaway instance runs each function the forward pass calls once over a batch
 * of synthetic pixels under a low tiering budget (tiering.ts), so TurboFan compiles them on a
 * background thread while the run goes on loading; every later instance of the build then starts
 * in the optimised code. Where the budget cannot be lowered, five passes spend V8's default one.
 *
 * It calls the exports itself rather than through a kernel's plan (wasm-plan.ts `runRows`): that
 * JavaScript would otherwise see two instances' exports at its call sites, and V8 stops inlining
 * the calls into WebAssembly that every batch makes.
 */
import { kernelBuildUnusable, kernelInstance, relaxedSimdSupported, type KernelBuild } from './module.js';
import { withLowTieringBudget } from './tiering.js';

/** The builds already primed in this thread (V8 keeps their optimised code for the thread's life). */
const primed = new Set<KernelBuild>();

/** A batch of the default size, through 784 → 52 → 20 → 12 (widths of whole vectors: strides = widths). */
const ROWS = 100;
const [INPUTS, H1, H2, OUT] = [784, 52, 20, 12];

/**
 * Primes `build` once per thread; a no-op where it is missing or this Node cannot compile it
 * (the kernel reports that when one is made). The weights stay zero: no branch of the kernel
 * looks at a weight, while the pixels' zeros steer the first layer, so about one pixel in five
 * is nonzero, as in a digit.
 */
export function primeKernelBuild(build: KernelBuild): void {
  if (primed.has(build)) return;
  primed.add(build);
  if (kernelBuildUnusable(build) !== undefined || (build === 'relaxed-simd' && !relaxedSimdSupported())) return;
  let top = 0;
  const reserve = (bytes: number): number => {
    const at = top;
    top += (bytes + 15) & ~15;
    return at;
  };
  const [W1, b1, W2, b2, W3, b3] = [INPUTS * H1, H1, H1 * H2, H2, H2 * OUT, OUT].map((floats) => reserve(floats * 4));
  const pixels = reserve(ROWS * INPUTS + 64);
  const [table, nz, predicted, confidence] = [256 * 4, INPUTS * 8, ROWS * 4, ROWS * 4].map(reserve);
  const [y1, y2, y3] = [H1, H2, OUT].map((width) => reserve(ROWS * width * 4));
  withLowTieringBudget((lowered) => {
    const { k, memory, base } = kernelInstance(top, build);
    const x = new Uint8Array(memory.buffer, base + pixels, ROWS * INPUTS);
    for (let i = 0; i < x.length; i += 5) x[i] = (i * 31) & 255;
    const inputs = new Float32Array(memory.buffer, base + table, 256);
    for (let p = 1; p < 256; p++) inputs[p] = p / 255;
    const at = (offset: number): number => base + offset;
    for (let pass = 0; pass < (lowered ? 1 : 5); pass++) {
      k.affinePixels(at(pixels), ROWS, INPUTS, at(table), at(W1), at(b1), at(y1), H1, at(nz));
      k.sigmoidInPlace(at(y1), ROWS * H1);
      k.affine(at(y1), ROWS, H1, H1, at(W2), at(b2), at(y2), H2);
      k.reluInPlace(at(y2), ROWS * H2);
      k.affine(at(y2), ROWS, H2, H2, at(W3), at(b3), at(y3), OUT);
      k.softmaxArgmax(at(y3), ROWS, OUT, OUT, at(predicted), at(confidence));
      k.argmaxRows(at(y3), ROWS, OUT, OUT, at(predicted), at(confidence));
    }
  });
}
