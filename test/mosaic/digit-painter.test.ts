import test, { type ExecutionContext } from 'ava';
import { BLACK, digitPainter } from '../../src/mosaic/digit-painter.js';
import { pixel32 } from '../../src/mosaic/palette.js';
import { lcg } from './helpers.js';

const PAPER = pixel32([0x2a, 0x2a, 0x2a]);

/**
 * Draws a `rows × cols` digit at scale `scale` at (x, y) of a canvas of PAPER whose image rectangle
 * is black (as the mosaic prepares it), and compares every pixel of the canvas with the slow,
 * obvious answer: inside the rectangle the gray of source pixel (⌊dy/scale⌋, ⌊dx/scale⌋), PAPER outside.
 */
function assertDrawn(t: ExecutionContext, pixels: Uint8Array, rows: number, cols: number, scale: number): void {
  const [x, y] = [3, 2];
  const width = x + cols * scale + 4;
  const height = y + rows * scale + 3;
  const data32 = new Uint32Array(width * height).fill(PAPER);
  for (let dy = 0; dy < rows * scale; dy++) data32.fill(BLACK, (y + dy) * width + x, (y + dy) * width + x + cols * scale);
  digitPainter(data32, width, rows, cols, scale)(x, y, pixels);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const [dx, dy] = [px - x, py - y];
      const inside = dx >= 0 && dy >= 0 && dx < cols * scale && dy < rows * scale;
      const gray = inside ? pixels[Math.floor(dy / scale) * cols + Math.floor(dx / scale)] : -1;
      const expected = inside ? pixel32([gray, gray, gray]) : PAPER;
      if (data32[py * width + px] !== expected) {
        t.fail(`${rows}×${cols} at scale ${scale}: pixel (${px}, ${py}) is ${data32[py * width + px].toString(16)}, expected ${inside ? `gray ${gray}` : 'the paper'}`);
        return;
      }
    }
  }
  t.pass();
}

// Widths that are a multiple of 4 take the four-at-a-time path (scale 2 unrolled), the others the plain one.
for (const [rows, cols] of [[28, 28], [16, 16], [8, 32], [5, 7], [3, 1]]) {
  for (const scale of [1, 2, 3]) {
    test(`${rows}×${cols} at scale ${scale}: each source pixel is an exact block of its gray, nothing outside is touched`, (t) => {
      const random = lcg(rows * 100 + cols * 10 + scale);
      // Mostly black, like a digit, with whole black words and rows among the ink.
      const pixels = Uint8Array.from({ length: rows * cols }, () => (random() < 0.6 ? 0 : Math.floor(random() * 256)));
      pixels.fill(0, 0, Math.min(pixels.length, cols + 4));
      assertDrawn(t, pixels, rows, cols, scale);
    });
  }
}

test('all 256 gray levels', (t) => {
  assertDrawn(t, Uint8Array.from({ length: 256 }, (_, i) => i), 16, 16, 2);
  assertDrawn(t, Uint8Array.from({ length: 256 }, (_, i) => 255 - i), 8, 32, 3);
});

test('one painter draws many digits, each only where it is put', (t) => {
  const [rows, cols, scale, width] = [4, 4, 2, 20];
  const data32 = new Uint32Array(width * 8).fill(BLACK);
  const draw = digitPainter(data32, width, rows, cols, scale);
  draw(0, 0, new Uint8Array(16).fill(255));
  draw(10, 0, new Uint8Array(16).fill(0));
  const white = pixel32([255, 255, 255]);
  t.is(data32.filter((p) => p === white).length, 64);
  t.true(data32.subarray(0, 8).every((p) => p === white));
  t.true(data32.subarray(8, 20).every((p) => p === BLACK));
});
