import type { Mosaic, TileRect } from './render-mosaic.js';
import type { MosaicOrder, Prediction } from '../types.js';

/**
 * The mosaic's JSON sidecar: it maps every tile back to its dataset index, so a person who spots
 * an odd digit can find it. Returned as data; the caller writes it with the PNG through an
 * `OutputSet` (outputs/output-set.ts).
 */

export interface SidecarMeta {
  /** Images evaluated. */
  total: number;
  /** Images misclassified, shown or not. */
  misclassified: number;
  order?: MosaicOrder;
  /** File name of the PNG, for the reader of the JSON. */
  image?: string;
}

/** A tile's error and its digit image's rectangle in the PNG. */
export interface SidecarTile extends Prediction, TileRect {
  /** Position in the mosaic, 0-based, left to right and top to bottom. */
  readonly tile: number;
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
  // Fields listed, in the order the file has always had them.
  const tiles = mosaic.placements.map(({ index, label, predicted, confidence, x, y, width, height }, tile): SidecarTile =>
    ({ tile, index, label, predicted, confidence, x, y, width, height }));
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
