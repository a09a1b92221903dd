import type { FloatArray } from './matrix.js';

/**
 * Pixels 0..255 → network input, scaled to 0..1 unless `normalize` is false. Scaled in float32 as
 * the book's `load_mnist` does (`astype(np.float32)`, then `/= 255.0`), also into a float64 input:
 * numpy then widens those float32 values when it multiplies them by float64 weights.
 */
export function toInput(pixels: Uint8Array, normalize: boolean, x: FloatArray): void {
  if (normalize) for (let i = 0; i < pixels.length; i++) x[i] = Math.fround(pixels[i] / 255);
  else for (let i = 0; i < pixels.length; i++) x[i] = pixels[i];
}
