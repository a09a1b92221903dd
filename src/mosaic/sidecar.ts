import { encodeRgbPng } from './png-encode.js';
import type { Mosaic } from './render-mosaic.js';
import type { MosaicOrder } from '../types.js';

/**
 * The mosaic's two outputs: the PNG, and a JSON sidecar that maps every tile back to its dataset
 * index, so a person who spots an odd digit can find it. Both are returned as data; the caller
 * writes them together through an `OutputSet` (atomic-write.ts).
 */

/**
 * Encodes the mosaic as an 8-bit RGB PNG (colour type 2: the alpha channel is always opaque, so it
 * is dropped). Decoding gives back exactly `mosaic.data`.
 */
export function encodeMosaicPng(mosaic: Mosaic): Buffer {
  const { width, height, data } = mosaic;
  if (data.length !== width * height * 4) {
    throw new RangeError(
      `encodeMosaicPng: image data size does not match width/height, expected ${width * height * 4}, got ${data.length}`,
    );
  }
  return encodeRgbPng(width, height, data);
}

export interface SidecarMeta {
  /** Images evaluated. */
  total: number;
  /** Images misclassified, shown or not. */
  misclassified: number;
  order?: MosaicOrder;
  /** File name of the PNG, for the reader of the JSON. */
  image?: string;
}

export interface SidecarTile {
  /** Position in the mosaic, 0-based, left to right and top to bottom. */
  tile: number;
  /** Position in the dataset. */
  index: number;
  label: number;
  predicted: number;
  confidence: number;
  /** The digit image's rectangle in the PNG, in pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface MosaicSidecar {
  image?: string;
  width: number;
  height: number;
  order?: MosaicOrder;
  total: number;
  misclassified: number;
  shown: number;
  /** Misclassified images that did not fit under the cap. */
  leftOut: number;
  tiles: SidecarTile[];
}

/** The JSON sidecar object for `mosaic`; `JSON.stringify` it to write. */
export function mosaicSidecar(mosaic: Mosaic, meta: SidecarMeta): MosaicSidecar {
  const shown = mosaic.placements.length;
  if (meta.misclassified < shown) {
    throw new RangeError(`mosaicSidecar: misclassified (${meta.misclassified}) is less than the ${shown} tiles shown`);
  }
  const tiles = mosaic.placements.map(({ index, label, predicted, confidence, x, y, width, height }, tile) => ({
    tile,
    index,
    label,
    predicted,
    confidence,
    x,
    y,
    width,
    height,
  }));
  return {
    ...(meta.image === undefined ? {} : { image: meta.image }),
    width: mosaic.width,
    height: mosaic.height,
    ...(meta.order === undefined ? {} : { order: meta.order }),
    total: meta.total,
    misclassified: meta.misclassified,
    shown,
    leftOut: meta.misclassified - shown,
    tiles,
  };
}
