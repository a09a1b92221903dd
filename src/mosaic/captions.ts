import { GLYPH_HEIGHT, textWidth } from './bitmap-font.js';
import { MOSAIC_PALETTE, type Color } from './palette.js';
import type { Prediction } from '../types.js';

/**
 * The caption under each digit of the mosaic, such as `7→1 0.93` (true label 7, predicted 1,
 * confidence 0.93), or with class names `Shirt→Coat 0.93`: its possible forms, and the choice of
 * one form and font scale for all tiles. Names too long for a tile are cut to their first letters
 * (`Ankl→Snea`), and where even those do not fit, the class numbers stand in for them.
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
  /** What the caption says, for the mosaic's header: `caption: true→predicted confidence`. */
  readonly legend: string;
}

type CaptionForm = ((tile: Prediction) => Run[]) & { readonly legend: string };

const captionForm = (legend: string, runs: (tile: Prediction) => Run[]): CaptionForm => Object.assign(runs, { legend });
const ARROW_LEGEND = 'caption: true→predicted confidence';

/** Caption forms, most readable first; the layout uses the first that fits every tile. */
const DIGIT_FORMS: readonly CaptionForm[] = [
  captionForm('caption: true · predicted · confidence', (tile) => [
    { text: 'true ', color: MOSAIC_PALETTE.muted },
    { text: String(tile.label), color: MOSAIC_PALETTE.label },
    { text: ' · pred ', color: MOSAIC_PALETTE.muted },
    { text: String(tile.predicted), color: MOSAIC_PALETTE.predicted },
    { text: ` · ${formatConfidence(tile.confidence)}`, color: MOSAIC_PALETTE.muted },
  ]),
  ...shorterForms(String, ''),
];

/** `7→1 0.93`, `7→1 .93` and `7→1`, with each class written by `name`; `note` goes into the legend. */
function shorterForms(name: (label: number) => string, note: string): CaptionForm[] {
  const labels = (tile: Prediction): Run[] => [
    { text: name(tile.label), color: MOSAIC_PALETTE.label },
    { text: '→', color: MOSAIC_PALETTE.muted },
    { text: name(tile.predicted), color: MOSAIC_PALETTE.predicted },
  ];
  return [
    captionForm(ARROW_LEGEND + note, (tile) => [...labels(tile), { text: ` ${formatConfidence(tile.confidence)}`, color: MOSAIC_PALETTE.muted }]),
    captionForm(ARROW_LEGEND + note, (tile) => [...labels(tile), { text: ` ${formatConfidence(tile.confidence).replace(/^0\./, '.')}`, color: MOSAIC_PALETTE.muted }]),
    captionForm(`caption: true→predicted${note}`, labels),
  ];
}

/** Lengths the names are cut to when whole ones do not fit, longest first. */
const SHORT_NAME_CHARS = [8, 6, 4, 3];

/**
 * The caption forms for `classes` (undefined: digits): whole names, then names cut to their
 * first letters (only lengths at which no two names read alike), then the digits' short forms.
 */
export function captionForms(classes?: readonly string[]): readonly CaptionForm[] {
  if (classes === undefined) return DIGIT_FORMS;
  const named = (label: number): string => classes[label] ?? String(label);
  const cuts = SHORT_NAME_CHARS.flatMap((chars) => {
    const cut = classes.map((name) => Array.from(name).slice(0, chars).join('').trimEnd());
    const longer = classes.some((name) => Array.from(name).length > chars);
    return longer && new Set(cut).size === cut.length ? [{ chars, cut }] : [];
  });
  return [
    ...shorterForms(named, ''),
    ...cuts.flatMap(({ chars, cut }) => shorterForms((label) => cut[label] ?? String(label), `, names cut to ${chars} letters`)),
    ...shorterForms(String, ', classes by number'),
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
export function chooseCaption(tiles: readonly Prediction[], imageWidth: number, scale: number, classes?: readonly string[]): CaptionChoice {
  const forms = captionForms(classes);
  // A caption's width is its length times the font scale, so each form is laid out once, and given
  // up as soon as one caption is too long even at font scale 1.
  const laidOut = new Map<CaptionForm, { captions: Caption[]; longest: number } | undefined>();
  const largest = Math.max(1, Math.floor(scale / 2));
  // Names read better whole at half the size than cut at full size: each form is tried down to
  // half the largest font scale before a shorter one is.
  if (classes !== undefined) {
    for (const form of forms) {
      for (let fontScale = largest; fontScale >= Math.ceil(largest / 2); fontScale--) {
        if (!laidOut.has(form)) laidOut.set(form, layOut(tiles, form, imageWidth));
        const found = laidOut.get(form);
        if (found === undefined) break;
        const width = textWidth(found.longest, fontScale);
        if (width <= imageWidth) return { captions: found.captions, scale: fontScale, width, height: GLYPH_HEIGHT * fontScale, legend: form.legend };
      }
    }
  }
  for (let fontScale = largest; fontScale >= 1; fontScale--) {
    for (const form of forms) {
      if (!laidOut.has(form)) laidOut.set(form, layOut(tiles, form, imageWidth));
      const found = laidOut.get(form);
      if (found === undefined) continue;
      const width = textWidth(found.longest, fontScale);
      if (width <= imageWidth) return { captions: found.captions, scale: fontScale, width, height: GLYPH_HEIGHT * fontScale, legend: form.legend };
    }
  }
  const last = forms[forms.length - 1];
  const { captions, longest } = layOut(tiles, last, Infinity)!;
  return { captions, scale: 1, width: textWidth(longest, 1), height: GLYPH_HEIGHT, legend: last.legend };
}
