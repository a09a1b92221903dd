import test from 'ava';
import { drawText, GLYPH_ADVANCE, GLYPH_HEIGHT, hasGlyph, measureText, type Color } from '../../src/mosaic/bitmap-font.js';
import { assertGolden } from './helpers.js';

const WHITE: Color = [255, 255, 255];

/** A black RGBA canvas. */
function canvas(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return data;
}

/** The canvas as art: '#' where red > 0, '.' elsewhere; one string per row. */
function toArt(data: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y < data.length / (width * 4); y++) {
    let row = '';
    for (let x = 0; x < width; x++) row += data[(y * width + x) * 4] > 0 ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

/** Art as written in the tests: '#' is ink; '.' and ' ' (the gap column between glyphs) are background. */
const art = (rows: string[]): string[] => rows.map((row) => row.replaceAll(' ', '.'));

function render(text: string, scale = 1): { data: Uint8Array; width: number } {
  const { width, height } = measureText(text, scale);
  const data = canvas(width, height);
  drawText(data, width, 0, 0, text, WHITE, scale);
  return { data, width };
}

test('measureText: glyphs advance 6 pixels, no gap after the last one, 8 rows tall', (t) => {
  t.deepEqual(measureText(''), { width: 0, height: 8 });
  t.deepEqual(measureText('a'), { width: 5, height: 8 });
  t.deepEqual(measureText('abc', 2), { width: 34, height: 16 });
  t.deepEqual(measureText('7→1 0.93'), { width: 47, height: 8 }, 'the arrow counts as one character');
  t.is(GLYPH_ADVANCE, 6);
  t.is(GLYPH_HEIGHT, 8);
});

test('every character of captions and headers has its own glyph', (t) => {
  const used = '0123456789 .:→>·/(),-%=' + 'abcdefghijklmnopqrstuvwxyz' + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' + '_<[]+?!\'"#*←;';
  const missing = Array.from(used).filter((char) => !hasGlyph(char));
  t.deepEqual(missing, []);
});

test('"7>1" at scale 1 is exactly this pattern', (t) => {
  const { data, width } = render('7>1');
  t.deepEqual(toArt(data, width), art([
    '##### .#... ..#..',
    '....# ..#.. .##..',
    '...#. ...#. ..#..',
    '..#.. ....# ..#..',
    '.#... ...#. ..#..',
    '.#... ..#.. ..#..',
    '.#... .#... .###.',
    '..... ..... .....',
  ]));
});

test('descenders use the eighth row: "gy,"', (t) => {
  const { data, width } = render('gy,');
  t.deepEqual(toArt(data, width), art([
    '..... ..... .....',
    '..... ..... .....',
    '.#### #...# .....',
    '#...# #...# .....',
    '#...# #...# .....',
    '.#### .#### .##..',
    '....# ....# ..#..',
    '.###. .###. .#...',
  ]));
});

test('an unknown character is drawn as a box', (t) => {
  t.false(hasGlyph('€'));
  const { data, width } = render('€');
  t.deepEqual(toArt(data, width), [
    '#####',
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '#...#',
    '#####',
    '.....',
  ]);
});

for (const scale of [2, 3]) {
  test(`scale ${scale}: every font pixel becomes an exact ${scale}×${scale} block`, (t) => {
    const text = 'true 7 · pred 1 · 0.93 (48%)';
    const small = render(text, 1);
    const big = render(text, scale);
    t.is(big.width, small.width * scale);
    for (let y = 0; y < GLYPH_HEIGHT * scale; y++) {
      for (let x = 0; x < big.width; x++) {
        const expected = small.data[(Math.floor(y / scale) * small.width + Math.floor(x / scale)) * 4];
        if (big.data[(y * big.width + x) * 4] !== expected) {
          t.fail(`pixel (${x}, ${y}) at scale ${scale} is not the font pixel (${Math.floor(x / scale)}, ${Math.floor(y / scale)})`);
          return;
        }
      }
    }
    t.pass();
  });
}

test('drawText writes the colour with its alpha and leaves the background alone', (t) => {
  const width = 11;
  const data = new Uint8Array(width * 8 * 4).fill(7);
  drawText(data, width, 0, 0, '1', [10, 20, 30, 40]);
  const ink = (0 * width + 2) * 4; // top of the stem of '1'
  t.deepEqual(Array.from(data.subarray(ink, ink + 4)), [10, 20, 30, 40]);
  const paper = (0 * width + 0) * 4;
  t.deepEqual(Array.from(data.subarray(paper, paper + 4)), [7, 7, 7, 7]);
  drawText(data, width, 6, 0, '1', [1, 2, 3]);
  t.deepEqual(Array.from(data.subarray((0 * width + 8) * 4, (0 * width + 8) * 4 + 4)), [1, 2, 3, 255], 'RGB means opaque');
});

test('drawText returns the pen position after the text', (t) => {
  const data = canvas(100, 20);
  t.is(drawText(data, 100, 3, 0, 'abc', WHITE, 1), 3 + 18);
  t.is(drawText(data, 100, 3, 0, 'abc', WHITE, 2), 3 + 36);
  t.is(drawText(data, 100, 3, 0, '', WHITE, 2), 3);
});

test('text partly outside the image is clipped, not wrapped', (t) => {
  const full = render('0.93', 2);
  const height = 16;
  // Draw the same text 5 pixels to the left and 3 up into a narrower canvas; compare the overlap.
  const width = full.width - 9;
  const data = canvas(width, height);
  drawText(data, width, -5, -3, '0.93', WHITE, 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = x + 5;
      const sy = y + 3;
      const expected = sy < height ? full.data[(sy * full.width + sx) * 4] : 0;
      if (data[(y * width + x) * 4] !== expected) {
        t.fail(`pixel (${x}, ${y}) differs from the unclipped text at (${sx}, ${sy})`);
        return;
      }
    }
  }
  t.notThrows(() => drawText(canvas(4, 4), 4, 100, 100, 'far away', WHITE, 3));
  t.notThrows(() => drawText(canvas(4, 4), 4, -100, -100, 'far away', WHITE, 3));
});

test('bad arguments are rejected with what was expected', (t) => {
  t.throws(() => measureText('a', 0), { message: 'font scale must be a positive integer, got 0' });
  t.throws(() => drawText(canvas(4, 4), 4, 0, 0, 'a', WHITE, 1.5), { message: /positive integer, got 1.5/ });
  t.throws(() => drawText(new Uint8Array(30), 4, 0, 0, 'a', WHITE), {
    message: 'drawText: image data size does not match width, expected a multiple of 16 bytes, got 30',
  });
});

test('golden: captions and the whole character sheet', (t) => {
  const lines: Array<[string, Color, number]> = [
    ['7→1 0.93', [124, 224, 124], 1],
    ['true 7 · pred 1 · 0.93', [232, 232, 232], 1],
    ['7→1 0.93', [255, 128, 112], 2],
    ['0123456789 .:→>·/(),-%=+_<[]?!\'"#*←;€', WHITE, 2],
    ['abcdefghijklmnopqrstuvwxyz', WHITE, 2],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZ', WHITE, 2],
    ['648 misclassified of 10000 (6.48%) · showing 200 · 448 not shown', WHITE, 1],
  ];
  const width = 2 + Math.max(...lines.map(([text, , scale]) => measureText(text, scale).width)) + 2;
  const height = 2 + lines.reduce((sum, [, , scale]) => sum + (GLYPH_HEIGHT + 2) * scale, 0);
  const data = canvas(width, height);
  let y = 2;
  for (const [text, color, scale] of lines) {
    drawText(data, width, 2, y, text, color, scale);
    y += (GLYPH_HEIGHT + 2) * scale;
  }
  assertGolden(t, 'font-sheet.png', { width, height, data });
});
