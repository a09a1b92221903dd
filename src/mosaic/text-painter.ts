import { checkFontScale, GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from './bitmap-font.js';
import { pixel32, type Color } from './palette.js';

/**
 * Draws `text` with its top-left corner at (x, y) and returns the pen position after it: the x
 * where the next character would start, so differently coloured runs can follow one another.
 */
export type TextPainter = (x: number, y: number, text: string, color: Color) => number;

/** A run of text drawn once: its rows of pixels (null for rows without ink), width and advance. */
interface PreparedRun {
  readonly rows: readonly (Uint32Array | null)[];
  readonly width: number;
  readonly advance: number;
}

/**
 * The text renderer of the mosaic, for a canvas of 32-bit RGBA pixels (`data32`, `width` pixels a
 * row, see palette.ts's pixel32) filled with `background` where the text goes. At font scale
 * `scale` every font pixel becomes an exact scale×scale block, with no antialiasing.
 *
 * Each run of text (a label, a confidence) is drawn once, per colour, into rows of pixels built
 * from prepared glyph rows (one per colour and row mask), and then copied a row at a time wherever
 * it appears again. A copied row covers the run's whole width, ink and `background`; rows without
 * ink are skipped. So text lands exactly as if only its ink were drawn, as long as it lies on
 * `background`; drawn over anything else, it shows its box.
 *
 * Text must lie inside the canvas: nothing is clipped, and a run that would not fit throws.
 */
export function textPainter(data32: Uint32Array, width: number, scale: number, background: number): TextPainter {
  checkFontScale(scale);
  if (!Number.isInteger(width) || width <= 0 || data32.length % width !== 0) {
    throw new RangeError(`textPainter: canvas size does not match width, expected a multiple of ${width} pixels, got ${data32.length}`);
  }
  const height = data32.length / width;
  const cellWidth = GLYPH_WIDTH * scale;
  const advance = GLYPH_ADVANCE * scale;

  const glyphRowsByColor = new Map<Color, Uint32Array[]>();
  /** For each 5-bit row mask, that glyph row as pixels of `color` on `background`. */
  const glyphRowPixels = (color: Color): Uint32Array[] => {
    let found = glyphRowsByColor.get(color);
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
      glyphRowsByColor.set(color, found);
    }
    return found;
  };

  const prepare = (text: string, color: Color): PreparedRun => {
    const rowPixels = glyphRowPixels(color);
    const glyphs = Array.from(text, glyphRows);
    const runWidth = Math.max(0, glyphs.length * advance - scale);
    const pixels = new Uint32Array(runWidth * GLYPH_HEIGHT).fill(background);
    const rows: (Uint32Array | null)[] = [];
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      let ink = false;
      glyphs.forEach((glyph, k) => {
        if (glyph[row] === 0) return;
        ink = true;
        pixels.set(rowPixels[glyph[row]], row * runWidth + k * advance);
      });
      rows.push(ink ? pixels.subarray(row * runWidth, (row + 1) * runWidth) : null);
    }
    return { rows, width: runWidth, advance: glyphs.length * advance };
  };

  const runsByColor = new Map<Color, Map<string, PreparedRun>>();
  return (x, y, text, color) => {
    let runs = runsByColor.get(color);
    if (runs === undefined) runsByColor.set(color, (runs = new Map()));
    let run = runs.get(text);
    if (run === undefined) runs.set(text, (run = prepare(text, color)));
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x + run.width > width || y + GLYPH_HEIGHT * scale > height) {
      throw new RangeError(
        `textPainter: "${text}" at (${x}, ${y}) is ${run.width}×${GLYPH_HEIGHT * scale} pixels, which does not fit the ${width}×${height} canvas`,
      );
    }
    const { rows } = run;
    for (let row = 0, at = y * width + x; row < GLYPH_HEIGHT; row++, at += scale * width) {
      const pixels = rows[row];
      if (pixels !== null) for (let dy = 0; dy < scale; dy++) data32.set(pixels, at + dy * width);
    }
    return x + run.advance;
  };
}
