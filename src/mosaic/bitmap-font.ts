/**
 * A tiny embedded bitmap font for captions and headers in the error mosaic.
 *
 * Every glyph is 5 pixels wide and 8 rows tall: rows 0–6 hold capitals and digits (the baseline is
 * under row 6), lowercase letters use rows 2–6, and row 7 is only for descenders (g, j, p, q, y, ',').
 * Each glyph advances the pen by 6 pixels, leaving one blank column between characters. At `scale` s
 * every font pixel is drawn as an s×s block. A character with no glyph is drawn as a box, so a
 * missing glyph shows instead of vanishing. This file is the font and its metrics; text-painter.ts
 * draws with it.
 */

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 8;
/** Pen advance per character, in font pixels (the glyph plus one blank column). */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1;

/** A glyph is 8 row masks; bit 4 is the leftmost column, bit 0 the rightmost. */
type Glyph = Uint8Array;

// Font sheets: one glyph per 5-character cell, cells separated by one space, 8 rows per sheet.
// '#' is ink, '.' is background. The first line of each call names the characters in cell order.

const GLYPHS = new Map<string, Glyph>([
  ...sheet('0123456789', `
    .###. ..#.. .###. ##### ...#. ##### ..##. ##### .###. .###.
    #...# .##.. #...# ...#. ..##. #.... .#... ....# #...# #...#
    #..## ..#.. ....# ..#.. .#.#. ####. #.... ...#. #...# #...#
    #.#.# ..#.. ...#. ...#. #..#. ....# ####. ..#.. .###. .####
    ##..# ..#.. ..#.. ....# ##### ....# #...# .#... #...# ....#
    #...# ..#.. .#... #...# ...#. #...# #...# .#... #...# ...#.
    .###. .###. ##### .###. ...#. .###. .###. .#... .###. .##..
    ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
  `),
  ...sheet('ABCDEFGHIJKLM', `
    .###. ####. .###. ###.. ##### ##### .###. #...# .###. ..### #...# #.... #...#
    #...# #...# #...# #..#. #.... #.... #...# #...# ..#.. ...#. #..#. #.... ##.##
    #...# #...# #.... #...# #.... #.... #.... #...# ..#.. ...#. #.#.. #.... #.#.#
    ##### ####. #.... #...# ####. ####. #.### ##### ..#.. ...#. ##... #.... #.#.#
    #...# #...# #.... #...# #.... #.... #...# #...# ..#.. ...#. #.#.. #.... #...#
    #...# #...# #...# #..#. #.... #.... #...# #...# ..#.. #..#. #..#. #.... #...#
    #...# ####. .###. ###.. ##### #.... .#### #...# .###. .##.. #...# ##### #...#
    ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
  `),
  ...sheet('NOPQRSTUVWXYZ', `
    #...# .###. ####. .###. ####. .#### ##### #...# #...# #...# #...# #...# #####
    #...# #...# #...# #...# #...# #.... ..#.. #...# #...# #...# #...# #...# ....#
    ##..# #...# #...# #...# #...# #.... ..#.. #...# #...# #...# .#.#. .#.#. ...#.
    #.#.# #...# ####. #...# ####. .###. ..#.. #...# #...# #.#.# ..#.. ..#.. ..#..
    #..## #...# #.... #.#.# #.#.. ....# ..#.. #...# #...# #.#.# .#.#. ..#.. .#...
    #...# #...# #.... #..#. #..#. ....# ..#.. #...# .#.#. #.#.# #...# ..#.. #....
    #...# .###. #.... .##.# #...# ####. ..#.. .###. ..#.. .#.#. #...# ..#.. #####
    ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
  `),
  ...sheet('abcdefghijklm', `
    ..... #.... ..... ....# ..... ..##. ..... #.... ..#.. ...#. #.... .##.. .....
    ..... #.... ..... ....# ..... .#..# ..... #.... ..... ..... #.... ..#.. .....
    .###. ####. .###. .#### .###. .#... .#### #.##. .##.. ..##. #..#. ..#.. ##.#.
    ....# #...# #.... #...# #...# ###.. #...# ##..# ..#.. ...#. #.#.. ..#.. #.#.#
    .#### #...# #.... #...# ##### .#... #...# #...# ..#.. ...#. ##... ..#.. #.#.#
    #...# #...# #...# #...# #.... .#... .#### #...# ..#.. ...#. #.#.. ..#.. #.#.#
    .#### ####. .###. .#### .###. .#... ....# #...# .###. #..#. #..#. .###. #.#.#
    ..... ..... ..... ..... ..... ..... .###. ..... ..... .##.. ..... ..... .....
  `),
  ...sheet('nopqrstuvwxyz', `
    ..... ..... ..... ..... ..... ..... .#... ..... ..... ..... ..... ..... .....
    ..... ..... ..... ..... ..... ..... .#... ..... ..... ..... ..... ..... .....
    #.##. .###. ####. .#### #.##. .#### ###.. #...# #...# #...# #...# #...# #####
    ##..# #...# #...# #...# ##..# #.... .#... #...# #...# #...# .#.#. #...# ...#.
    #...# #...# #...# #...# #.... .###. .#... #...# #...# #.#.# ..#.. #...# ..#..
    #...# #...# ####. .#### #.... ....# .#..# #..## .#.#. #.#.# .#.#. .#### .#...
    #...# .###. #.... ....# #.... ####. ..##. .##.# ..#.. .#.#. #...# ....# #####
    ..... ..... #.... ....# ..... ..... ..... ..... ..... ..... ..... .###. .....
  `),
  ...sheet(' .,:;·-+=/%()[]', `
    ..... ..... ..... ..... ..... ..... ..... ..... ..... ....# ##... ...#. .#... .###. .###.
    ..... ..... ..... .##.. .##.. ..... ..... ..#.. ..... ....# ##..# ..#.. ..#.. .#... ...#.
    ..... ..... ..... .##.. .##.. ..... ..... ..#.. ##### ...#. ...#. .#... ...#. .#... ...#.
    ..... ..... ..... ..... ..... .##.. .###. ##### ..... ..#.. ..#.. .#... ...#. .#... ...#.
    ..... ..... ..... .##.. .##.. .##.. ..... ..#.. ##### .#... .#... .#... ...#. .#... ...#.
    ..... .##.. .##.. .##.. .##.. ..... ..... ..#.. ..... #.... #..## ..#.. ..#.. .#... ...#.
    ..... .##.. ..#.. ..... ..#.. ..... ..... ..... ..... #.... ...## ...#. .#... .###. .###.
    ..... ..... .#... ..... .#... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
  `),
  ...sheet('<>→←?!\'"_#*', `
    ...#. .#... ..... ..... .###. ..#.. ..#.. .#.#. ..... .#.#. .....
    ..#.. ..#.. ..#.. ..#.. #...# ..#.. ..#.. .#.#. ..... .#.#. ..#..
    .#... ...#. ...#. .#... ....# ..#.. .#... ..... ..... ##### #.#.#
    #.... ....# ##### ##### ...#. ..#.. ..... ..... ..... .#.#. .###.
    .#... ...#. ...#. .#... ..#.. ..#.. ..... ..... ..... ##### #.#.#
    ..#.. ..#.. ..#.. ..#.. ..... ..... ..... ..... ..... .#.#. ..#..
    ...#. .#... ..... ..... ..#.. ..#.. ..... ..... ##### .#.#. .....
    ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....
  `),
]);

/** Drawn for any character that has no glyph: the outline of a capital-sized cell. */
const BOX: Glyph = parseCell(['#####', '#...#', '#...#', '#...#', '#...#', '#...#', '#####', '.....']);

/**
 * The 8 row masks `char` (one code point) is drawn with, the box when it has no glyph: bit 4 is the
 * leftmost column, bit 0 the rightmost. Shared: do not modify.
 */
export function glyphRows(char: string): Readonly<Uint8Array> {
  return GLYPHS.get(char) ?? BOX;
}

/** True when `char` (one code point) has its own glyph, false when it would be drawn as a box. */
export function hasGlyph(char: string): boolean {
  return GLYPHS.has(char);
}

/** The size in pixels of `text` drawn at `scale`; the width leaves out the gap after the last character. */
export function measureText(text: string, scale = 1): { width: number; height: number } {
  checkFontScale(scale);
  return { width: textWidth(Array.from(text).length, scale), height: GLYPH_HEIGHT * scale };
}

/** The width in pixels of `length` characters at `scale`, without the gap after the last one. */
export function textWidth(length: number, scale: number): number {
  return length === 0 ? 0 : (length * GLYPH_ADVANCE - 1) * scale;
}

/** Throws unless `scale` is a positive integer. */
export function checkFontScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 1) {
    throw new RangeError(`font scale must be a positive integer, got ${scale}`);
  }
}

/** Splits a font sheet into glyphs; a malformed sheet is a bug in this file, so it throws at load. */
function sheet(chars: string, art: string): Array<[string, Glyph]> {
  const names = Array.from(chars);
  const rows = art.trim().split('\n').map((line) => line.trim().split(' '));
  if (rows.length !== GLYPH_HEIGHT || rows.some((cells) => cells.length !== names.length)) {
    throw new Error(`bitmap-font: sheet "${chars}" must be ${GLYPH_HEIGHT} rows of ${names.length} cells`);
  }
  return names.map((name, i) => [name, parseCell(rows.map((cells) => cells[i]))]);
}

function parseCell(rows: readonly string[]): Glyph {
  const glyph = new Uint8Array(GLYPH_HEIGHT);
  rows.forEach((row, r) => {
    if (!/^[#.]{5}$/.test(row)) throw new Error(`bitmap-font: bad glyph row "${row}"`);
    glyph[r] = parseInt(row.replaceAll('#', '1').replaceAll('.', '0'), 2);
  });
  return glyph;
}
