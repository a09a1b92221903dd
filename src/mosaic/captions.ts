import { GLYPH_HEIGHT, textWidth } from './bitmap-font.js';
import { MOSAIC_PALETTE, type Color } from './palette.js';
import type { Prediction } from '../types.js';

/**
 * The caption under each digit of the mosaic, such as `7→1 0.93` (true label 7, predicted 1,
 * confidence 0.93): its possible forms, and the choice of one form and font scale for all tiles.
 */

/** Text in one colour. */
export interface Run {
  readonly text: string;
  readonly color: Color;
}

/** One tile's caption: its coloured runs, their text joined, and its length in characters. */
export interface Caption {
  readonly runs: readonly Run[];
  readonly text: string;
  readonly length: number;
}

/** The captions of all tiles, in one form and at one font scale, and the size of the widest. */
export interface CaptionChoice {
  readonly captions: readonly Caption[];
  /** Font scale. */
  readonly scale: number;
  readonly width: number;
  readonly height: number;
}

type CaptionForm = (tile: Prediction) => Run[];

/** Caption forms, most readable first; the layout uses the first that fits every tile. */
const CAPTION_FORMS: readonly CaptionForm[] = [
  (tile) => [
    { text: 'true ', color: MOSAIC_PALETTE.muted },
    { text: String(tile.label), color: MOSAIC_PALETTE.label },
    { text: ' · pred ', color: MOSAIC_PALETTE.muted },
    { text: String(tile.predicted), color: MOSAIC_PALETTE.predicted },
    { text: ` · ${formatConfidence(tile.confidence)}`, color: MOSAIC_PALETTE.muted },
  ],
  (tile) => [...labels(tile), { text: ` ${formatConfidence(tile.confidence)}`, color: MOSAIC_PALETTE.muted }],
  (tile) => [...labels(tile), { text: ` ${formatConfidence(tile.confidence).replace(/^0\./, '.')}`, color: MOSAIC_PALETTE.muted }],
  labels,
];

/** `7→1`: the true label, an arrow, the prediction. */
function labels(tile: Prediction): Run[] {
  return [
    { text: String(tile.label), color: MOSAIC_PALETTE.label },
    { text: '→', color: MOSAIC_PALETTE.muted },
    { text: String(tile.predicted), color: MOSAIC_PALETTE.predicted },
  ];
}

/** Confidence with two decimals: `0.93`, `1.00`. */
export function formatConfidence(confidence: number): string {
  return confidence.toFixed(2);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Every tile's caption in `form`, or undefined as soon as one is wider than `limit` at font scale 1. */
function layOut(tiles: readonly Prediction[], form: CaptionForm, limit: number): { captions: Caption[]; longest: number } | undefined {
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
}

/**
 * Picks the caption form and font scale once for the whole mosaic, so all captions look alike:
 * font scale from half the digit scale down to 1, and at each the most readable form that fits every
 * tile under its `imageWidth` pixels wide image. If even the shortest form is too wide (tiny
 * images), it is used at font scale 1 and the tile slots widen. Returns every tile's caption.
 */
export function chooseCaption(tiles: readonly Prediction[], imageWidth: number, scale: number): CaptionChoice {
  // A caption's width is its length times the font scale, so each form is laid out once, and given
  // up as soon as one caption is too long even at font scale 1.
  const laidOut = new Map<CaptionForm, { captions: Caption[]; longest: number } | undefined>();
  for (let fontScale = Math.max(1, Math.floor(scale / 2)); fontScale >= 1; fontScale--) {
    for (const form of CAPTION_FORMS) {
      if (!laidOut.has(form)) laidOut.set(form, layOut(tiles, form, imageWidth));
      const found = laidOut.get(form);
      if (found === undefined) continue;
      const width = textWidth(found.longest, fontScale);
      if (width <= imageWidth) return { captions: found.captions, scale: fontScale, width, height: GLYPH_HEIGHT * fontScale };
    }
  }
  const { captions, longest } = layOut(tiles, CAPTION_FORMS[CAPTION_FORMS.length - 1], Infinity)!;
  return { captions, scale: 1, width: textWidth(longest, 1), height: GLYPH_HEIGHT };
}
