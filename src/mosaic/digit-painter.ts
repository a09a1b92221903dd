import { pixel32 } from './palette.js';

/** Draws one digit image (`rows × cols` grays) with its top-left corner at (x, y). */
export type DigitPainter = (x: number, y: number, pixels: Uint8Array) => void;

/** Gray level → opaque gray 32-bit pixel. */
const GRAY = Uint32Array.from({ length: 256 }, (_, v) => pixel32([v, v, v]));

/** The pixel of gray level 0: digit images must be filled with it before they are drawn. */
export const BLACK = GRAY[0];

/**
 * Draws digit images into a canvas of 32-bit RGBA pixels (`data32`, `width` pixels a row) whose
 * image rectangles the caller has already filled with `BLACK`. Nearest-neighbour upscale: source
 * pixel (r, c) becomes the exact scale×scale block at (x + c·scale, y + r·scale).
 *
 * Each source row is drawn once and copied to the other scale − 1 output rows. Digits are mostly
 * black, so where `cols` is a multiple of 4 only the non-zero pixels are written, found four at a
 * time through a 32-bit view of an aligned copy; rows without ink are not touched at all.
 */
export function digitPainter(data32: Uint32Array, width: number, rows: number, cols: number, scale: number): DigitPainter {
  const rowWidth = cols * scale;
  if (cols % 4 !== 0) {
    return (x, y, pixels) => {
      for (let r = 0, src = 0; r < rows; r++) {
        const start = (y + r * scale) * width + x;
        for (let c = 0, at = start; c < cols; c++, at += scale) data32.fill(GRAY[pixels[src++]], at, at + scale);
        for (let dy = 1; dy < scale; dy++) data32.copyWithin(start + dy * width, start, start + rowWidth);
      }
    };
  }
  // The aligned copy of the digit, read as bytes and as words of four pixels.
  const words = new Uint32Array(Math.ceil((rows * cols) / 4));
  const bytes = new Uint8Array(words.buffer);
  const wordsPerRow = cols / 4;
  return (x, y, pixels) => {
    bytes.set(pixels);
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
          const p0 = GRAY[bytes[src]];
          const p1 = GRAY[bytes[src + 1]];
          const p2 = GRAY[bytes[src + 2]];
          const p3 = GRAY[bytes[src + 3]];
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
            if (scale === 1) data32[at] = GRAY[value];
            else data32.fill(GRAY[value], at, at + scale);
          }
        }
      }
      if (ink) for (let dy = 1; dy < scale; dy++) data32.copyWithin(start + dy * width, start, start + rowWidth);
    }
  };
}
