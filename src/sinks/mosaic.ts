import { drawText, measureText, type Color } from './bitmap-font.js';

/**
 * The error mosaic: misclassified digits laid out as a grid of tiles, each with a caption, under a
 * header line with the totals (like torchvision's make_grid or fastai's plot_top_losses). This file
 * is pure layout: tiles in, one RGBA buffer out. Encoding and writing live in write-mosaic.ts.
 *
 * Layout, top to bottom: margin, header (an optional title line, then the totals line), header gap,
 * grid of tiles, margin. A tile is the digit image (every source pixel an exact scale×scale block)
 * over a caption such as `7→1 0.93` (true label 7, predicted 1, confidence 0.93).
 */

export interface MosaicTile {
  /** Position of the image in the dataset. */
  index: number;
  /** True label `t`. */
  label: number;
  /** Predicted class, argmax of `y`. */
  predicted: number;
  /** The network's output for the predicted class, 0..1. */
  confidence: number;
  /** `rows * cols` grayscale pixels, 0..255, row-major. */
  pixels: Uint8Array;
}

export interface MosaicHeader {
  /** Images evaluated. */
  total: number;
  /** Images the network got wrong. */
  misclassified: number;
  /** Tiles in the mosaic; must equal the number of tiles passed. */
  shown: number;
  /** An extra first line, such as the weights file and the order. */
  title?: string;
}

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
}

/** Where one tile's digit image landed; `caption` is the text drawn under it. */
export interface TilePlacement {
  index: number;
  label: number;
  predicted: number;
  confidence: number;
  x: number;
  y: number;
  width: number;
  height: number;
  caption: string;
}

export interface Mosaic {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row-major, alpha always 255. */
  data: Uint8Array;
  placements: TilePlacement[];
}

/** Spacing in output pixels. */
export const MOSAIC_LAYOUT = {
  /** Around the whole image. */
  margin: 6,
  /** Between tiles, horizontally and vertically. */
  gap: 6,
  /** Between a digit image and its caption. */
  captionGap: 2,
  /** Between header lines, in font pixels. */
  lineGap: 2,
  /** Between the header and the grid. */
  headerGap: 8,
} as const;

export const MOSAIC_PALETTE = {
  /** Dark gray, so the black digit backgrounds stand out as tiles. */
  background: [0x2a, 0x2a, 0x2a],
  text: [0xe8, 0xe8, 0xe8],
  muted: [0xb0, 0xb0, 0xb0],
  /** The true label. */
  label: [0x7c, 0xe0, 0x7c],
  /** The (wrong) prediction. */
  predicted: [0xff, 0x80, 0x70],
} as const satisfies Record<string, Color>;

export const DEFAULT_SCALE = 2;
export const MAX_DEFAULT_COLUMNS = 20;
/** Refuse canvases above this many pixels (1 GiB of RGBA) with a clear message instead of a crash. */
const MAX_PIXELS = 2 ** 28;

type Run = { text: string; color: Color };
type CaptionForm = (tile: MosaicTile) => Run[];

/** Caption forms, most readable first; the layout uses the first that fits every tile. */
const CAPTION_FORMS: readonly CaptionForm[] = [
  (tile) => [
    { text: 'true ', color: MOSAIC_PALETTE.muted },
    { text: String(tile.label), color: MOSAIC_PALETTE.label },
    { text: ' · pred ', color: MOSAIC_PALETTE.muted },
    { text: String(tile.predicted), color: MOSAIC_PALETTE.predicted },
    { text: ` · ${formatConfidence(tile.confidence)}`, color: MOSAIC_PALETTE.muted },
  ],
  (tile) => [
    { text: String(tile.label), color: MOSAIC_PALETTE.label },
    { text: '→', color: MOSAIC_PALETTE.muted },
    { text: String(tile.predicted), color: MOSAIC_PALETTE.predicted },
    { text: ` ${formatConfidence(tile.confidence)}`, color: MOSAIC_PALETTE.muted },
  ],
  (tile) => [
    { text: String(tile.label), color: MOSAIC_PALETTE.label },
    { text: '→', color: MOSAIC_PALETTE.muted },
    { text: String(tile.predicted), color: MOSAIC_PALETTE.predicted },
    { text: ` ${formatConfidence(tile.confidence).replace(/^0\./, '.')}`, color: MOSAIC_PALETTE.muted },
  ],
  (tile) => [
    { text: String(tile.label), color: MOSAIC_PALETTE.label },
    { text: '→', color: MOSAIC_PALETTE.muted },
    { text: String(tile.predicted), color: MOSAIC_PALETTE.predicted },
  ],
];

/** Confidence with two decimals: `0.93`, `1.00`. */
export function formatConfidence(confidence: number): string {
  return confidence.toFixed(2);
}

/** A percentage with two decimals; below 0.01 it says so rather than rounding a mistake to 0.00%. */
function formatPercent(percent: number): string {
  return percent > 0 && percent < 0.01 ? '<0.01%' : `${percent.toFixed(2)}%`;
}

/** The header lines: the title if any, then the totals. */
export function formatHeader(header: MosaicHeader): string[] {
  const { total, misclassified, shown, title } = header;
  const leftOut = misclassified - shown;
  let totals: string;
  if (misclassified === 0) {
    totals = `no misclassified images of ${total}`;
  } else {
    const rate = total > 0 ? ` (${formatPercent((100 * misclassified) / total)})` : '';
    const showing = leftOut > 0 ? `showing ${shown} · ${leftOut} not shown` : `showing all ${shown}`;
    totals = `${misclassified} misclassified of ${total}${rate} · ${showing}`;
  }
  return title === undefined || title === '' ? [totals] : [title, totals];
}

/**
 * Lays the tiles out in the order given (the caller sorts them, see mosaic-order.ts), left to right
 * and top to bottom, and draws header, digits and captions into one RGBA buffer.
 */
export function renderMosaic(tiles: readonly MosaicTile[], options: MosaicOptions): Mosaic {
  const { rows, cols, header } = options;
  const scale = options.scale ?? DEFAULT_SCALE;
  checkOptions(tiles, options, scale);
  const { margin, gap, captionGap, headerGap } = MOSAIC_LAYOUT;

  const imageWidth = cols * scale;
  const imageHeight = rows * scale;
  const caption = chooseCaption(tiles, imageWidth, scale);
  const slotWidth = Math.max(imageWidth, caption.width);
  const slotHeight = imageHeight + captionGap + caption.height;

  const columns = Math.min(options.columns ?? defaultColumns(tiles.length), Math.max(tiles.length, 1));
  const gridRows = Math.ceil(tiles.length / columns);
  const gridWidth = tiles.length === 0 ? 0 : columns * slotWidth + (columns - 1) * gap;
  const gridHeight = gridRows === 0 ? 0 : gridRows * slotHeight + (gridRows - 1) * gap;

  const headerLines = formatHeader(header);
  const headerBlock = layoutHeader(headerLines, gridWidth);

  const width = 2 * margin + Math.max(gridWidth, headerBlock.width);
  const height = margin + headerBlock.height + (gridRows === 0 ? 0 : headerGap + gridHeight) + margin;
  if (width * height > MAX_PIXELS) {
    throw new RangeError(
      `mosaic would be ${width}×${height} pixels, more than ${MAX_PIXELS}; show fewer tiles or lower the scale`,
    );
  }
  const data = new Uint8Array(width * height * 4);
  fill(data, MOSAIC_PALETTE.background);

  headerLines.forEach((line, i) => {
    drawText(data, width, margin, margin + i * headerBlock.lineHeight, line, MOSAIC_PALETTE.text, headerBlock.scale);
  });

  const gridTop = margin + headerBlock.height + headerGap;
  const placements = tiles.map((tile, i): TilePlacement => {
    const slotX = margin + (i % columns) * (slotWidth + gap);
    const slotY = gridTop + Math.floor(i / columns) * (slotHeight + gap);
    const x = slotX + Math.floor((slotWidth - imageWidth) / 2);
    drawDigit(data, width, x, slotY, tile.pixels, rows, cols, scale);

    const runs = caption.form(tile);
    const captionX = slotX + Math.floor((slotWidth - measureRuns(runs, caption.scale)) / 2);
    drawRuns(data, width, captionX, slotY + imageHeight + captionGap, runs, caption.scale);

    const { index, label, predicted, confidence } = tile;
    const text = runs.map((run) => run.text).join('');
    return { index, label, predicted, confidence, x, y: slotY, width: imageWidth, height: imageHeight, caption: text };
  });

  return { width, height, data, placements };
}

function checkOptions(tiles: readonly MosaicTile[], options: MosaicOptions, scale: number): void {
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

function defaultColumns(count: number): number {
  return Math.min(MAX_DEFAULT_COLUMNS, Math.max(1, Math.ceil(Math.sqrt(count))));
}

/**
 * Picks the caption form and font scale once for the whole mosaic, so all captions look alike:
 * font scale from half the digit scale down to 1, and at each the most readable form that fits every
 * tile under its image. If even the shortest form is too wide (tiny images), the tile slots widen.
 */
function chooseCaption(
  tiles: readonly MosaicTile[],
  imageWidth: number,
  scale: number,
): { form: CaptionForm; scale: number; width: number; height: number } {
  const widest = (form: CaptionForm, fontScale: number): number =>
    tiles.reduce((max, tile) => Math.max(max, measureRuns(form(tile), fontScale)), 0);
  for (let fontScale = Math.max(1, Math.floor(scale / 2)); fontScale >= 1; fontScale--) {
    for (const form of CAPTION_FORMS) {
      const width = widest(form, fontScale);
      if (width <= imageWidth) return { form, scale: fontScale, width, height: measureText('', fontScale).height };
    }
  }
  const form = CAPTION_FORMS[CAPTION_FORMS.length - 1];
  return { form, scale: 1, width: widest(form, 1), height: measureText('', 1).height };
}

function layoutHeader(
  lines: readonly string[],
  gridWidth: number,
): { scale: number; width: number; height: number; lineHeight: number } {
  const widestAt = (scale: number): number => Math.max(...lines.map((line) => measureText(line, scale).width));
  const scale = widestAt(2) <= gridWidth ? 2 : 1;
  const textHeight = measureText('', scale).height;
  const lineHeight = textHeight + MOSAIC_LAYOUT.lineGap * scale;
  return { scale, width: widestAt(scale), height: lines.length * lineHeight - MOSAIC_LAYOUT.lineGap * scale, lineHeight };
}

/** Width of coloured runs drawn one after another, without the gap after the last character. */
function measureRuns(runs: readonly Run[], scale: number): number {
  return measureText(runs.map((run) => run.text).join(''), scale).width;
}

function drawRuns(data: Uint8Array, width: number, x: number, y: number, runs: readonly Run[], scale: number): void {
  let penX = x;
  for (const run of runs) penX = drawText(data, width, penX, y, run.text, run.color, scale);
}

/** Nearest-neighbour upscale: source pixel (r, c) becomes the scale×scale block at (x + c·scale, y + r·scale). */
function drawDigit(
  data: Uint8Array,
  width: number,
  x: number,
  y: number,
  pixels: Uint8Array,
  rows: number,
  cols: number,
  scale: number,
): void {
  if (data.byteOffset % 4 === 0 && data.length % 4 === 0) {
    // One 32-bit store per pixel: gray in R, G and B, 255 in alpha, in this machine's byte order.
    const data32 = new Uint32Array(data.buffer, data.byteOffset, data.length / 4);
    const [gray0, opaque] = new Uint32Array(Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 255]).buffer);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const value = (Math.imul(pixels[r * cols + c], gray0) | opaque) >>> 0;
        for (let dy = 0; dy < scale; dy++) {
          const at = (y + r * scale + dy) * width + x + c * scale;
          for (let dx = 0; dx < scale; dx++) data32[at + dx] = value;
        }
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const gray = pixels[r * cols + c];
      for (let dy = 0; dy < scale; dy++) {
        let offset = ((y + r * scale + dy) * width + x + c * scale) * 4;
        for (let dx = 0; dx < scale; dx++, offset += 4) {
          data[offset] = gray;
          data[offset + 1] = gray;
          data[offset + 2] = gray;
          data[offset + 3] = 255;
        }
      }
    }
  }
}

function fill(data: Uint8Array, [r, g, b]: Color): void {
  if (data.byteOffset % 4 === 0 && data.length % 4 === 0) {
    // One native fill of 32-bit pixels (the byte order of this machine's Uint32Array).
    const pixel = new Uint32Array(Uint8Array.from([r, g, b, 255]).buffer)[0];
    new Uint32Array(data.buffer, data.byteOffset, data.length / 4).fill(pixel);
    return;
  }
  for (let offset = 0; offset < data.length; offset += 4) {
    data[offset] = r;
    data[offset + 1] = g;
    data[offset + 2] = b;
    data[offset + 3] = 255;
  }
}
