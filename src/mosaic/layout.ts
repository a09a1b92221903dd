import { measureText } from './bitmap-font.js';
import { chooseCaption, type CaptionChoice } from './captions.js';
import type { Prediction } from '../types.js';

/**
 * Where everything of the mosaic goes. Top to bottom: margin, header (an optional title line, the
 * totals line, and when there are tiles the line that says what a caption says), header gap, grid of tiles, margin. A tile's slot is its digit image (every
 * source pixel a scale×scale block) over its caption, each centred in the slot.
 */

export interface MosaicHeader {
  /** Images evaluated. */
  readonly total: number;
  /** Images the network got wrong. */
  readonly misclassified: number;
  /** Tiles in the mosaic; must equal the number of tiles passed. */
  readonly shown: number;
  /** An extra first line, such as the weights file and the order. */
  readonly title?: string;
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

export const DEFAULT_SCALE = 2;
export const MAX_DEFAULT_COLUMNS = 20;

/** The header's lines and where they go: at font `scale`, one every `lineHeight` pixels. */
export interface HeaderLayout {
  readonly lines: readonly string[];
  readonly scale: number;
  readonly width: number;
  readonly height: number;
  readonly lineHeight: number;
}

/** The sizes of a mosaic, in output pixels. */
export interface MosaicLayout {
  readonly width: number;
  readonly height: number;
  readonly header: HeaderLayout;
  readonly caption: CaptionChoice;
  /** Tiles per grid row, and grid rows. */
  readonly columns: number;
  readonly gridRows: number;
  /** Top of the grid's first row. */
  readonly gridTop: number;
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly slotWidth: number;
  readonly slotHeight: number;
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
 * The header at the largest font scale, from 2 (or the captions' scale, if larger: the header grows
 * with --mosaic-scale as they do) down, at which its widest line fits across the grid, else at 1.
 */
function layOutHeader(lines: readonly string[], gridWidth: number, captionScale: number): HeaderLayout {
  const widestAt = (scale: number): number => Math.max(...lines.map((line) => measureText(line, scale).width));
  let scale = Math.max(2, captionScale);
  while (scale > 1 && widestAt(scale) > gridWidth) scale--;
  const textHeight = measureText('', scale).height;
  const lineHeight = textHeight + MOSAIC_LAYOUT.lineGap * scale;
  return { lines, scale, width: widestAt(scale), height: lines.length * lineHeight - MOSAIC_LAYOUT.lineGap * scale, lineHeight };
}

/** Default tiles per row: a square grid, at most MAX_DEFAULT_COLUMNS wide. */
export function defaultColumns(count: number): number {
  return Math.min(MAX_DEFAULT_COLUMNS, Math.max(1, Math.ceil(Math.sqrt(count))));
}

/**
 * Lays out `tiles` (`rows × cols` images at `scale`), `columns` to a row (default: see
 * defaultColumns), under `header`. The options are checked by the caller.
 */
export function layOutMosaic(
  tiles: readonly Prediction[],
  options: { readonly rows: number; readonly cols: number; readonly scale: number; readonly columns?: number; readonly header: MosaicHeader; readonly classes?: readonly string[] },
): MosaicLayout {
  const { margin, gap, captionGap, headerGap } = MOSAIC_LAYOUT;
  const imageWidth = options.cols * options.scale;
  const imageHeight = options.rows * options.scale;
  const caption = chooseCaption(tiles, imageWidth, options.scale, options.classes);
  const slotWidth = Math.max(imageWidth, caption.width);
  const slotHeight = imageHeight + captionGap + caption.height;

  const columns = Math.min(options.columns ?? defaultColumns(tiles.length), Math.max(tiles.length, 1));
  const gridRows = Math.ceil(tiles.length / columns);
  const gridWidth = tiles.length === 0 ? 0 : columns * slotWidth + (columns - 1) * gap;
  const gridHeight = gridRows === 0 ? 0 : gridRows * slotHeight + (gridRows - 1) * gap;

  const lines = formatHeader(options.header);
  const header = layOutHeader(tiles.length === 0 ? lines : [...lines, caption.legend], gridWidth, caption.scale);
  return {
    width: 2 * margin + Math.max(gridWidth, header.width),
    height: margin + header.height + (gridRows === 0 ? 0 : headerGap + gridHeight) + margin,
    header,
    caption,
    columns,
    gridRows,
    gridTop: margin + header.height + headerGap,
    imageWidth,
    imageHeight,
    slotWidth,
    slotHeight,
  };
}

/** The top-left corner of tile `i`'s slot, and the left edge of its image (centred in the slot). */
export function tileSlot(layout: MosaicLayout, i: number): { x: number; y: number; imageX: number } {
  const { margin, gap } = MOSAIC_LAYOUT;
  const x = margin + (i % layout.columns) * (layout.slotWidth + gap);
  const y = layout.gridTop + Math.floor(i / layout.columns) * (layout.slotHeight + gap);
  return { x, y, imageX: x + Math.floor((layout.slotWidth - layout.imageWidth) / 2) };
}
