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
  /** The classes' full names (the captions may cut them); each tile then names its two. */
  classes?: readonly string[];
}

/** A tile's error and its digit image's rectangle in the PNG. */
export interface SidecarTile extends Prediction, TileRect {
  /** Position in the mosaic, 0-based, left to right and top to bottom. */
  readonly tile: number;
  /** With class names: the true and the predicted class's. */
  readonly labelName?: string;
  readonly predictedName?: string;
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
  classes?: readonly string[];
  tiles: SidecarTile[];
}

/** The JSON sidecar object for `mosaic`; `JSON.stringify` it to write. */
export function mosaicSidecar(mosaic: Mosaic, meta: SidecarMeta): MosaicSidecar {
  const shown = mosaic.placements.length;
  if (meta.misclassified < shown) {
    throw new RangeError(`mosaicSidecar: misclassified (${meta.misclassified}) is less than the ${shown} tiles shown`);
  }
  // Fields listed, in the order the file has always had them.
  const { classes } = meta;
  const tiles = mosaic.placements.map(({ index, label, predicted, confidence, x, y, width, height }, tile): SidecarTile =>
    classes === undefined
      ? { tile, index, label, predicted, confidence, x, y, width, height }
      : { tile, index, label, predicted, confidence, labelName: classes[label], predictedName: classes[predicted], x, y, width, height });
  return {
    ...(meta.image === undefined ? {} : { image: meta.image }),
    width: mosaic.width,
    height: mosaic.height,
    ...(meta.order === undefined ? {} : { order: meta.order }),
    total: meta.total,
    misclassified: meta.misclassified,
    shown,
    leftOut: meta.misclassified - shown,
    ...(classes === undefined ? {} : { classes }),
    tiles,
  };
}
