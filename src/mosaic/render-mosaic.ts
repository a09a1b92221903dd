import { textWidth } from './bitmap-font.js';
import { BLACK } from './digit-painter.js';
import { DEFAULT_SCALE, layOutMosaic, MOSAIC_LAYOUT, tileSlot, type MosaicHeader, type MosaicLayout } from './layout.js';
import { createCanvas } from './mosaic-canvas.js';
import { MOSAIC_PALETTE, pixel32 } from './palette.js';
import { textPainter } from './text-painter.js';
import type { Misclassified, Prediction } from '../types.js';

/**
 * The error mosaic: misclassified digits laid out as a grid of tiles, each with a caption, under a
 * header line with the totals (like torchvision's make_grid or fastai's plot_top_losses). Tiles
 * in, one RGBA buffer out: layout.ts says where things go, captions.ts what each caption says, and
 * digit-painter.ts and text-painter.ts draw them. png-encode.ts encodes the result.
 */

export interface MosaicOptions {
  /** Image height in pixels (28 for MNIST). */
  rows: number;
  /** Image width in pixels (28 for MNIST). */
  cols: number;
  /** Integer pixel scale of the digits. Default 2. */
  scale?: number;
  /** Tiles per grid row. Default: ceil(sqrt(n)), at most 20. */
  columns?: number;
  header: MosaicHeader;
  /** The names of the classes 0, 1, … for the captions (cut where a tile is narrow); undefined: digits. */
  classes?: readonly string[];
  /** Draw the digits in JavaScript even where the WASM module loads (the same pixels; for tests). */
  js?: boolean;
}

/** A digit image's rectangle in the mosaic, in pixels. */
export interface TileRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Where one tile's digit image landed; `caption` is the text drawn under it. */
export interface TilePlacement extends Prediction, TileRect {
  readonly caption: string;
}

export interface Mosaic {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row-major, alpha always 255 (a view of the WASM module's memory where it loads: mosaic-canvas.ts). */
  data: Uint8Array;
  placements: TilePlacement[];
}

/** Refuse canvases above this many pixels (1 GiB of RGBA) with a clear message instead of a crash. */
export const MAX_PIXELS = 2 ** 28;

/**
 * Lays the tiles out in the order given (the caller sorts them, see tile-collector.ts), left to
 * right and top to bottom, and draws header, digits and captions into one RGBA buffer.
 */
export function renderMosaic(tiles: readonly Misclassified[], options: MosaicOptions): Mosaic {
  const { rows, cols } = options;
  const scale = options.scale ?? DEFAULT_SCALE;
  checkOptions(tiles, options, scale);
  const layout = layOutMosaic(tiles, { ...options, scale });
  const { width, height, header, caption, imageWidth, imageHeight } = layout;
  if (width * height > MAX_PIXELS) {
    throw new RangeError(
      `mosaic would be ${width}×${height} pixels, more than ${MAX_PIXELS}; show fewer tiles or lower the scale`,
    );
  }
  const canvas = createCanvas(width, height, { count: tiles.length, rows, cols, scale }, options.js);
  const { data } = canvas;
  // Drawn as 32-bit pixels (the canvas is aligned): this runs once per process, mostly
  // interpreted, so every per-pixel step saved counts.
  const data32 = new Uint32Array(data.buffer, data.byteOffset, width * height);
  const background = pixel32(MOSAIC_PALETTE.background);
  paintBackground(data32, layout, tiles.length, background);

  const headerText = textPainter(data32, width, header.scale, background);
  header.lines.forEach((line, i) => {
    headerText(MOSAIC_LAYOUT.margin, MOSAIC_LAYOUT.margin + i * header.lineHeight, line, MOSAIC_PALETTE.text);
  });

  const captionText = textPainter(data32, width, caption.scale, background);
  const placements = tiles.map((tile, i): TilePlacement => {
    const slot = tileSlot(layout, i);

    const { runs, text, length } = caption.captions[i];
    let penX = slot.x + Math.floor((layout.slotWidth - textWidth(length, caption.scale)) / 2);
    const captionY = slot.y + imageHeight + MOSAIC_LAYOUT.captionGap;
    for (const run of runs) penX = captionText(penX, captionY, run.text, run.color);

    const { index, label, predicted, confidence } = tile;
    return { index, label, predicted, confidence, x: slot.imageX, y: slot.y, width: imageWidth, height: imageHeight, caption: text };
  });

  canvas.paintDigits(placements.map(({ x, y }, i) => ({ x, y, pixels: tiles[i].pixels })));
  return { width, height, data, placements };
}

/**
 * Fills the canvas with `background`, and every digit image with black for digitPainter: the
 * canvas rows of each band (grid row) of images are copies of one row with the black spans of the
 * band's images, and all other rows are filled with the background.
 */
function paintBackground(data32: Uint32Array, layout: MosaicLayout, count: number, background: number): void {
  const { width, columns, gridRows, imageWidth, imageHeight, slotHeight } = layout;
  const bandRow = new Uint32Array(width);
  let filled = 0;
  for (let band = 0, spans = -1; band < gridRows; band++) {
    const inBand = Math.min(columns, count - band * columns);
    if (inBand !== spans) {
      bandRow.fill(background);
      for (let i = 0; i < inBand; i++) {
        const { imageX } = tileSlot(layout, i);
        bandRow.fill(BLACK, imageX, imageX + imageWidth);
      }
      spans = inBand;
    }
    const top = layout.gridTop + band * (slotHeight + MOSAIC_LAYOUT.gap);
    data32.fill(background, filled * width, top * width);
    for (let dy = 0; dy < imageHeight; dy++) data32.set(bandRow, (top + dy) * width);
    filled = top + imageHeight;
  }
  data32.fill(background, filled * width);
}

function checkOptions(tiles: readonly Misclassified[], options: MosaicOptions, scale: number): void {
  const { rows, cols, columns, header } = options;
  for (const [name, value] of [['rows', rows], ['cols', cols], ['scale', scale]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`renderMosaic: ${name} must be a positive integer, got ${value}`);
    }
  }
  if (columns !== undefined && (!Number.isInteger(columns) || columns < 1)) {
    throw new RangeError(`renderMosaic: columns must be a positive integer, got ${columns}`);
  }
  if (header.shown !== tiles.length) {
    throw new RangeError(`renderMosaic: header.shown must equal the number of tiles, expected ${tiles.length}, got ${header.shown}`);
  }
  if (header.misclassified < header.shown) {
    throw new RangeError(`renderMosaic: header.misclassified (${header.misclassified}) is less than header.shown (${header.shown})`);
  }
  tiles.forEach((tile, i) => {
    if (tile.pixels.length !== rows * cols) {
      throw new RangeError(
        `renderMosaic: tile ${i} (index ${tile.index}) has the wrong number of pixels, expected ${rows * cols} (${rows}×${cols}), got ${tile.pixels.length}`,
      );
    }
  });
}
