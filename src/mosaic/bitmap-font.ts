/**
 * A tiny embedded bitmap font for captions and headers in the error mosaic.
 *
 * Every glyph is 5 pixels wide and 8 rows tall: rows 0–6 hold capitals and digits (the baseline is
 * under row 6), lowercase letters use rows 2–6, and row 7 is only for descenders (g, j, p, q, y, ',').
 * Each glyph advances the pen by 6 pixels, leaving one blank column between characters. Drawing is
 * pixel-exact: at `scale` s every font pixel becomes an s×s block of `color`, with no antialiasing.
 * A character with no glyph is drawn as a box, so a missing glyph shows instead of vanishing.
 */

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 8;
/** Pen advance per character, in font pixels (the glyph plus one blank column). */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1;

/** `[r, g, b]` (alpha 255) or `[r, g, b, a]`, each 0..255. */
export type Color = readonly [number, number, number] | readonly [number, number, number, number];

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
 * leftmost column, bit 0 the rightmost. For callers with their own, faster blitter; do not modify.
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
  checkScale(scale);
  const count = Array.from(text).length;
  return { width: count === 0 ? 0 : (count * GLYPH_ADVANCE - 1) * scale, height: GLYPH_HEIGHT * scale };
}

/**
 * Draws `text` into an RGBA image (`imageWidth` pixels wide, 4 bytes a pixel) with its top-left
 * corner at (x, y). Ink pixels are overwritten with `color`; background pixels are left alone, and
 * anything outside the image is clipped. Returns the pen position after the text: the x where the
 * next character would start, so differently coloured runs can be drawn one after another.
 */
export function drawText(
  rgba: Uint8Array,
  imageWidth: number,
  x: number,
  y: number,
  text: string,
  color: Color,
  scale = 1,
): number {
  checkScale(scale);
  if (!Number.isInteger(imageWidth) || imageWidth <= 0 || rgba.length % (imageWidth * 4) !== 0) {
    throw new RangeError(
      `drawText: image data size does not match width, expected a multiple of ${imageWidth * 4} bytes, got ${rgba.length}`,
    );
  }
  const imageHeight = rgba.length / (imageWidth * 4);
  const [r, g, b, a = 255] = color;
  let penX = Math.round(x);
  const top = Math.round(y);
  for (const char of text) {
    const glyph = GLYPHS.get(char) ?? BOX;
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      const mask = glyph[row];
      if (mask === 0) continue;
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if ((mask & (1 << (GLYPH_WIDTH - 1 - col))) === 0) continue;
        fillBlock(rgba, imageWidth, imageHeight, penX + col * scale, top + row * scale, scale, r, g, b, a);
      }
    }
    penX += GLYPH_ADVANCE * scale;
  }
  return penX;
}

/** Fills the `size`×`size` block at (x0, y0), clipped to the image. */
function fillBlock(
  rgba: Uint8Array,
  imageWidth: number,
  imageHeight: number,
  x0: number,
  y0: number,
  size: number,
  r: number,
  g: number,
  b: number,
  a: number,
): void {
  const xStart = Math.max(x0, 0);
  const xEnd = Math.min(x0 + size, imageWidth);
  const yStart = Math.max(y0, 0);
  const yEnd = Math.min(y0 + size, imageHeight);
  for (let py = yStart; py < yEnd; py++) {
    for (let px = xStart; px < xEnd; px++) {
      const offset = (py * imageWidth + px) * 4;
      rgba[offset] = r;
      rgba[offset + 1] = g;
      rgba[offset + 2] = b;
      rgba[offset + 3] = a;
    }
  }
}

function checkScale(scale: number): void {
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
