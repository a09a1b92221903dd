/**
 * The mosaic's upper bounds, checked before any work: the most tiles a mosaic keeps, the largest
 * digit scale, and whether `cap` tiles of `rows × cols` images at `scale` fit the renderer's
 * canvas (MAX_PIXELS). The canvas bound also bounds the collector, whose tiles' pixels are a
 * 1/scale² share of the canvas at most.
 */
import { layOutMosaic } from './layout.js';
import { MAX_PIXELS } from './render-mosaic.js';
import type { Prediction } from '../types.js';

/** The most tiles `--mosaic-cap` may keep: at MNIST's 28×28 and scale 1 this is near the canvas limit. */
export const MAX_MOSAIC_CAP = 100_000;
/** The largest `--mosaic-scale`: a 28×28 digit becomes 1792×1792 pixels. */
export const MAX_MOSAIC_SCALE = 64;

/** The canvas of a mosaic of `count` tiles, captioned as an MNIST mistake (`9→8 0.99`), in pixels. */
export function mosaicCanvas(count: number, image: { readonly rows: number; readonly cols: number; readonly scale: number }): { readonly width: number; readonly height: number } {
  const tiles: Prediction[] = Array.from({ length: count }, (_, index) => ({ index, label: 9, predicted: 8, confidence: 0.99 }));
  const { width, height } = layOutMosaic(tiles, { ...image, header: { total: count, misclassified: count, shown: count } });
  return { width, height };
}

/**
 * Why a mosaic of `cap` tiles of `rows × cols` images at `scale` cannot be drawn, or undefined
 * when it can: the reason names the canvas and the limit.
 */
export function mosaicTooLarge(cap: number, image: { readonly rows: number; readonly cols: number; readonly scale: number }): string | undefined {
  const { width, height } = mosaicCanvas(cap, image);
  if (width * height <= MAX_PIXELS) return undefined;
  return `${cap} tiles of ${image.rows}x${image.cols} images at scale ${image.scale} make a mosaic of ${width}x${height} pixels, more than the limit of ${MAX_PIXELS}`;
}
