import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows, measureText, type Color } from './bitmap-font.js';
import type { Misclassified } from '../types.js';

/**
 * The error mosaic: misclassified digits laid out as a grid of tiles, each with a caption, under a
 * header line with the totals (like torchvision's make_grid or fastai's plot_top_losses). This file
 * is pure layout: tiles in, one RGBA buffer out. Encoding and writing live in write-mosaic.ts.
 *
 * Layout, top to bottom: margin, header (an optional title line, then the totals line), header gap,
 * grid of tiles, margin. A tile is the digit image (every source pixel an exact scale×scale block)
 * over a caption such as `7→1 0.93` (true label 7, predicted 1, confidence 0.93).
 */

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
type CaptionForm = (tile: Misclassified) => Run[];

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
export function renderMosaic(tiles: readonly Misclassified[], options: MosaicOptions): Mosaic {
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
  // Drawn as 32-bit pixels (a fresh buffer is aligned): this runs once per process, mostly
  // interpreted, so every per-pixel step saved counts.
  const data32 = new Uint32Array(data.buffer, data.byteOffset, width * height);
  const background = pixel32(MOSAIC_PALETTE.background);
  const gridTop = margin + headerBlock.height + headerGap;
  const gray = grayTable();
  const tileX = (i: number): number => margin + (i % columns) * (slotWidth + gap) + Math.floor((slotWidth - imageWidth) / 2);
  // The background, with every digit image black: the canvas rows of each band (grid row) of
  // images are copies of one row with the black spans of the band's images, and all other rows
  // are filled with the background. drawDigit adds the digits' other pixels.
  const bandRow = new Uint32Array(width);
  let filled = 0;
  for (let band = 0, spans = -1; band < gridRows; band++) {
    const inBand = Math.min(columns, tiles.length - band * columns);
    if (inBand !== spans) {
      bandRow.fill(background);
      for (let i = 0; i < inBand; i++) bandRow.fill(gray[0], tileX(i), tileX(i) + imageWidth);
      spans = inBand;
    }
    const top = gridTop + band * (slotHeight + gap);
    data32.fill(background, filled * width, top * width);
    for (let dy = 0; dy < imageHeight; dy++) data32.set(bandRow, (top + dy) * width);
    filled = top + imageHeight;
  }
  data32.fill(background, filled * width);

  const headerText = textPainter(data32, width, headerBlock.scale, background);
  headerLines.forEach((line, i) => {
    headerText(margin, margin + i * headerBlock.lineHeight, line, MOSAIC_PALETTE.text);
  });

  const captionText = textPainter(data32, width, caption.scale, background);
  const scratch = digitScratch(rows * cols);
  const placements = tiles.map((tile, i): TilePlacement => {
    const slotX = margin + (i % columns) * (slotWidth + gap);
    const slotY = gridTop + Math.floor(i / columns) * (slotHeight + gap);
    const x = tileX(i);
    drawDigit(data32, width, x, slotY, tile.pixels, rows, cols, scale, gray, scratch);

    const { runs, text, length } = caption.captions[i];
    let penX = slotX + Math.floor((slotWidth - (length === 0 ? 0 : (length * GLYPH_ADVANCE - 1) * caption.scale)) / 2);
    const captionY = slotY + imageHeight + captionGap;
    for (const run of runs) penX = captionText(penX, captionY, run.text, run.color);

    const { index, label, predicted, confidence } = tile;
    return { index, label, predicted, confidence, x, y: slotY, width: imageWidth, height: imageHeight, caption: text };
  });

  return { width, height, data, placements };
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

function defaultColumns(count: number): number {
  return Math.min(MAX_DEFAULT_COLUMNS, Math.max(1, Math.ceil(Math.sqrt(count))));
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** One tile's caption: its coloured runs, their text joined, and its length in characters. */
interface Caption {
  runs: Run[];
  text: string;
  length: number;
}

/**
 * Picks the caption form and font scale once for the whole mosaic, so all captions look alike:
 * font scale from half the digit scale down to 1, and at each the most readable form that fits every
 * tile under its image. If even the shortest form is too wide (tiny images), the tile slots widen.
 * Returns the captions of every tile in that form.
 */
function chooseCaption(
  tiles: readonly Misclassified[],
  imageWidth: number,
  scale: number,
): { captions: Caption[]; scale: number; width: number; height: number } {
  const textWidth = (length: number, fontScale: number): number =>
    length === 0 ? 0 : (length * GLYPH_ADVANCE - 1) * fontScale;
  // A caption's width is its length times the font scale, so each form is laid out once, and given
  // up as soon as one caption is too long even at font scale 1.
  const laidOut = new Map<CaptionForm, { captions: Caption[]; longest: number } | undefined>();
  const layOut = (form: CaptionForm, limit: number): { captions: Caption[]; longest: number } | undefined => {
    const captions: Caption[] = [];
    let longest = 0;
    for (const tile of tiles) {
      const runs = form(tile);
      let text = '';
      for (const run of runs) text += run.text;
      // Characters, not UTF-16 units; only surrogate pairs (rare here) need counting.
      const length = SURROGATE.test(text) ? Array.from(text).length : text.length;
      if (textWidth(length, 1) > limit) return undefined;
      if (length > longest) longest = length;
      captions.push({ runs, text, length });
    }
    return { captions, longest };
  };
  const fontHeight = (fontScale: number): number => measureText('', fontScale).height;
  for (let fontScale = Math.max(1, Math.floor(scale / 2)); fontScale >= 1; fontScale--) {
    for (const form of CAPTION_FORMS) {
      if (!laidOut.has(form)) laidOut.set(form, layOut(form, imageWidth));
      const found = laidOut.get(form);
      if (found === undefined) continue;
      const width = textWidth(found.longest, fontScale);
      if (width <= imageWidth) return { captions: found.captions, scale: fontScale, width, height: fontHeight(fontScale) };
    }
  }
  const { captions, longest } = layOut(CAPTION_FORMS[CAPTION_FORMS.length - 1], Infinity)!;
  return { captions, scale: 1, width: textWidth(longest, 1), height: fontHeight(1) };
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

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An opaque colour as one 32-bit pixel of a Uint32Array over RGBA bytes, in this machine's byte order. */
function pixel32([r, g, b]: Color): number {
  return LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

let grayPixels: Uint32Array | undefined;

/** Gray level → opaque gray 32-bit pixel. */
function grayTable(): Uint32Array {
  if (grayPixels === undefined) {
    grayPixels = new Uint32Array(256);
    for (let v = 0; v < 256; v++) grayPixels[v] = pixel32([v, v, v]);
  }
  return grayPixels;
}

/**
 * Nearest-neighbour upscale: source pixel (r, c) becomes the scale×scale block at (x + c·scale, y + r·scale).
 * Each source row is drawn once and copied to the other scale − 1 output rows. Digits are mostly
 * black and the caller has filled the image black, so where the width is a multiple of 4 only the
 * non-zero pixels are written, found four at a time through a 32-bit view of an aligned copy.
 */
function drawDigit(
  data32: Uint32Array,
  width: number,
  x: number,
  y: number,
  pixels: Uint8Array,
  rows: number,
  cols: number,
  scale: number,
  gray: Uint32Array,
  scratch: DigitScratch,
): void {
  const rowWidth = cols * scale;
  if (cols % 4 === 0) {
    // The image is already black: only non-zero pixels are written, found four at a time.
    scratch.bytes.set(pixels);
    const { bytes, words } = scratch;
    const wordsPerRow = cols / 4;
    for (let r = 0, word = 0; r < rows; r++) {
      const start = (y + r * scale) * width + x;
      let ink = false;
      for (let w = 0; w < wordsPerRow; w++, word++) {
        if (words[word] === 0) continue;
        ink = true;
        const src = word * 4;
        let at = start + w * 4 * scale;
        if (scale === 2) {
          // Unrolled: four pixels, two output pixels each (zeros rewrite the same black).
          const p0 = gray[bytes[src]];
          const p1 = gray[bytes[src + 1]];
          const p2 = gray[bytes[src + 2]];
          const p3 = gray[bytes[src + 3]];
          data32[at] = p0;
          data32[at + 1] = p0;
          data32[at + 2] = p1;
          data32[at + 3] = p1;
          data32[at + 4] = p2;
          data32[at + 5] = p2;
          data32[at + 6] = p3;
          data32[at + 7] = p3;
        } else {
          for (let end = src + 4, from = src; from < end; from++, at += scale) {
            const value = bytes[from];
            if (value === 0) continue;
            if (scale === 1) data32[at] = gray[value];
            else data32.fill(gray[value], at, at + scale);
          }
        }
      }
      if (ink) for (let dy = 1; dy < scale; dy++) data32.copyWithin(start + dy * width, start, start + rowWidth);
    }
    return;
  }
  for (let r = 0, src = 0; r < rows; r++) {
    const start = (y + r * scale) * width + x;
    for (let c = 0, at = start; c < cols; c++, at += scale) data32.fill(gray[pixels[src++]], at, at + scale);
    for (let dy = 1; dy < scale; dy++) data32.copyWithin(start + dy * width, start, start + rowWidth);
  }
}

interface DigitScratch {
  bytes: Uint8Array;
  words: Uint32Array;
}

function digitScratch(size: number): DigitScratch {
  const words = new Uint32Array(Math.ceil(size / 4));
  return { bytes: new Uint8Array(words.buffer), words };
}

/**
 * Text drawing for the mosaic, equal pixel for pixel to bitmap-font's drawText where the text lies
 * on `background` inside the image (as it always does here): glyph rows are copies of prepared rows
 * of pixels, ink and background, per colour and row mask. Returns the pen position.
 */
function textPainter(
  data32: Uint32Array,
  width: number,
  scale: number,
  background: number,
): (x: number, y: number, text: string, color: Color) => number {
  const cellWidth = GLYPH_WIDTH * scale;
  const advance = GLYPH_ADVANCE * scale;
  const patternsByColor = new Map<Color, Uint32Array[]>();
  const patterns = (color: Color): Uint32Array[] => {
    let found = patternsByColor.get(color);
    if (found === undefined) {
      const ink = pixel32(color);
      found = [];
      for (let mask = 0; mask < 1 << GLYPH_WIDTH; mask++) {
        const row = new Uint32Array(cellWidth).fill(background);
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if ((mask & (1 << (GLYPH_WIDTH - 1 - col))) !== 0) row.fill(ink, col * scale, (col + 1) * scale);
        }
        found.push(row);
      }
      patternsByColor.set(color, found);
    }
    return found;
  };
  // Each run of text (a label, a confidence) is drawn once into rows of pixels per colour, and then
  // copied a row at a time wherever it appears again; rows without ink are skipped.
  const runsByColor = new Map<Color, Map<string, { rows: (Uint32Array | null)[]; advance: number }>>();
  const prepare = (text: string, color: Color): { rows: (Uint32Array | null)[]; advance: number } => {
    const rowsOf = patterns(color);
    const glyphs = Array.from(text, glyphRows);
    const runWidth = Math.max(0, glyphs.length * advance - scale);
    const pixels = new Uint32Array(runWidth * GLYPH_HEIGHT).fill(background);
    const rows: (Uint32Array | null)[] = [];
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      let ink = false;
      glyphs.forEach((glyph, k) => {
        if (glyph[row] === 0) return;
        ink = true;
        pixels.set(rowsOf[glyph[row]], row * runWidth + k * advance);
      });
      rows.push(ink ? pixels.subarray(row * runWidth, (row + 1) * runWidth) : null);
    }
    return { rows, advance: glyphs.length * advance };
  };
  return (x, y, text, color) => {
    let runs = runsByColor.get(color);
    if (runs === undefined) runsByColor.set(color, (runs = new Map()));
    let run = runs.get(text);
    if (run === undefined) runs.set(text, (run = prepare(text, color)));
    const { rows } = run;
    for (let row = 0, at = y * width + x; row < GLYPH_HEIGHT; row++, at += scale * width) {
      const pixels = rows[row];
      if (pixels !== null) for (let dy = 0; dy < scale; dy++) data32.set(pixels, at + dy * width);
    }
    return x + run.advance;
  };
}
