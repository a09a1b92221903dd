import type { FloatArray } from './matrix.js';

/**
 * One step from a pixel (0..255) to a network input, in float32 as the frameworks compute it:
 * `divide` (the book's `x / 255`, torchvision's ToTensor), `standardize` (torchvision's
 * Normalize, `(x − mean) / std`), `rescale` (a Keras Rescaling layer, `x · scale + offset`).
 */
export type PixelStep =
  | { readonly op: 'divide'; readonly by: number }
  | { readonly op: 'standardize'; readonly mean: number; readonly std: number }
  | { readonly op: 'rescale'; readonly scale: number; readonly offset: number };

/** The book's scaling of pixels to 0..1. */
export const DIVIDE_BY_255: PixelStep = { op: 'divide', by: 255 };

/**
 * The steps a kernel applies: x / 255 when `normalize` (unless the network takes raw pixels), then
 * the network's own (`--mean`/`--std`, a leading Rescaling).
 */
export function pixelSteps(network: { readonly pixels?: readonly PixelStep[]; readonly rawPixels?: boolean }, normalize: boolean): PixelStep[] {
  return [...(normalize && network.rawPixels !== true ? [DIVIDE_BY_255] : []), ...(network.pixels ?? [])];
}

/**
 * The input value of each of the 256 pixel values after `steps`, every step rounded to float32
 * (the book's `load_mnist` makes float32 images, `astype(np.float32)` then `/= 255.0`; numpy
 * widens those values when it multiplies them by float64 weights).
 */
export function pixelTable(steps: readonly PixelStep[]): Float32Array {
  const table = new Float32Array(256);
  for (let p = 0; p < 256; p++) {
    let x = p;
    for (const step of steps) {
      if (step.op === 'divide') x = Math.fround(x / step.by);
      else if (step.op === 'standardize') x = Math.fround(Math.fround(x - step.mean) / step.std);
      else x = Math.fround(Math.fround(x * step.scale) + step.offset);
    }
    table[p] = x;
  }
  return table;
}

/** Pixels 0..255 → network input through a table from `pixelTable`. */
export function toInput(pixels: Uint8Array, table: Float32Array, x: FloatArray): void {
  for (let i = 0; i < pixels.length; i++) x[i] = table[pixels[i]];
}

/** How `steps` read in a report: `x / 255`, `(x − 0.1307) / 0.3081`; none: `raw pixels (0..255)`. */
export function describePixelSteps(steps: readonly PixelStep[]): string[] {
  if (steps.length === 0) return ['raw pixels (0..255)'];
  return steps.map((step) =>
    step.op === 'divide' ? `x / ${step.by}` : step.op === 'standardize' ? `(x - ${step.mean}) / ${step.std}` : `x * ${step.scale} + ${step.offset}`);
}
