import test from 'ava';
import { GLYPH_HEIGHT, measureText } from '../../src/mosaic/bitmap-font.js';
import { pixel32, type Color } from '../../src/mosaic/palette.js';
import { textPainter } from '../../src/mosaic/text-painter.js';
import { assertGolden, pixelAt } from './helpers.js';

const WHITE: Color = [255, 255, 255];
const BLACK = pixel32([0, 0, 0]);

/** A canvas of 32-bit pixels filled with `fill`, and its RGBA bytes. */
function canvas(width: number, height: number, fill = BLACK): { data32: Uint32Array; data: Uint8Array; width: number; height: number } {
  const data32 = new Uint32Array(width * height).fill(fill);
  return { data32, data: new Uint8Array(data32.buffer), width, height };
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

/** `text` in white on black, on a canvas its own size. */
function render(text: string, scale = 1): { data: Uint8Array; width: number } {
  const { width, height } = measureText(text, scale);
  const image = canvas(width, height);
  textPainter(image.data32, width, scale, BLACK)(0, 0, text, WHITE);
  return image;
}

const patterns: Array<[string, string, string[]]> = [
  ['"7>1" at scale 1 is exactly this pattern', '7>1', [
    '##### .#... ..#..',
    '....# ..#.. .##..',
    '...#. ...#. ..#..',
    '..#.. ....# ..#..',
    '.#... ...#. ..#..',
    '.#... ..#.. ..#..',
    '.#... .#... .###.',
    '..... ..... .....',
  ]],
  ['descenders use the eighth row: "gy,"', 'gy,', [
    '..... ..... .....',
    '..... ..... .....',
    '.#### #...# .....',
    '#...# #...# .....',
    '#...# #...# .....',
    '.#### .#### .##..',
    '....# ....# ..#..',
    '.###. .###. .#...',
  ]],
  ['an unknown character is drawn as a box', '€', ['#####', '#...#', '#...#', '#...#', '#...#', '#...#', '#####', '.....']],
];
for (const [name, text, rows] of patterns) {
  test(name, (t) => {
    const { data, width } = render(text);
    t.deepEqual(toArt(data, width), art(rows));
  });
}

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

test('ink is the colour, alpha included; an RGB colour is opaque', (t) => {
  const image = canvas(11, 8);
  const paint = textPainter(image.data32, 11, 1, BLACK);
  paint(0, 0, '1', [10, 20, 30, 40]);
  t.deepEqual(pixelAt(image.data, 11, 2, 0), [10, 20, 30, 40], 'top of the stem of "1"');
  t.deepEqual(pixelAt(image.data, 11, 0, 0), [0, 0, 0, 255], 'background');
  paint(6, 0, '1', [1, 2, 3]);
  t.deepEqual(pixelAt(image.data, 11, 8, 0), [1, 2, 3, 255]);
});

test('on its background, text changes only its ink pixels; runs repeat exactly', (t) => {
  const background = pixel32([42, 42, 42]);
  const image = canvas(40, 12, background);
  const paint = textPainter(image.data32, 40, 1, background);
  paint(1, 2, '4→9', WHITE);
  paint(21, 2, '4→9', WHITE);
  // The slow, obvious way: set the glyphs' ink pixels of a fresh canvas one by one.
  const expected = canvas(40, 12, background);
  const ink = render('4→9');
  for (const left of [1, 21]) {
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < ink.width; x++) {
        if (ink.data[(y * ink.width + x) * 4] > 0) expected.data32[(2 + y) * 40 + left + x] = pixel32(WHITE);
      }
    }
  }
  t.true(Buffer.from(image.data).equals(Buffer.from(expected.data)));
});

test('rows without ink are left alone, so text drawn off its background shows only its inked rows', (t) => {
  const image = canvas(5, 8, pixel32([9, 9, 9]));
  textPainter(image.data32, 5, 1, BLACK)(0, 0, '-', WHITE);
  const row = (y: number): string => Array.from({ length: 5 }, (_, x) => pixelAt(image.data, 5, x, y)[0]).join(' ');
  t.is(row(3), '0 255 255 255 0', 'the inked row is rewritten whole: ink, and background around it');
  for (const y of [0, 1, 2, 4, 5, 6, 7]) t.is(row(y), '9 9 9 9 9', `row ${y} has no ink and is untouched`);
});

test('the painter returns the pen position after the text', (t) => {
  const image = canvas(100, 20);
  t.is(textPainter(image.data32, 100, 1, BLACK)(3, 0, 'abc', WHITE), 3 + 18);
  t.is(textPainter(image.data32, 100, 2, BLACK)(3, 0, 'abc', WHITE), 3 + 36);
  t.is(textPainter(image.data32, 100, 2, BLACK)(3, 0, '', WHITE), 3);
});

test('text must lie inside the canvas', (t) => {
  const paint = textPainter(canvas(20, 10).data32, 20, 1, BLACK);
  t.notThrows(() => paint(9, 2, 'ab', WHITE), 'exactly fits: 11×8 at (9, 2)');
  t.throws(() => paint(10, 2, 'ab', WHITE), {
    message: 'textPainter: "ab" at (10, 2) is 11×8 pixels, which does not fit the 20×10 canvas',
  });
  t.throws(() => paint(0, 3, 'ab', WHITE), { message: /at \(0, 3\)/ });
  t.throws(() => paint(-1, 0, 'ab', WHITE), { message: /at \(-1, 0\)/ });
  t.throws(() => paint(0.5, 0, 'ab', WHITE), { message: /at \(0.5, 0\)/ });
});

test('bad arguments are rejected with what was expected', (t) => {
  t.throws(() => textPainter(canvas(4, 4).data32, 4, 1.5, BLACK), { message: 'font scale must be a positive integer, got 1.5' });
  t.throws(() => textPainter(new Uint32Array(30), 4, 1, BLACK), {
    message: 'textPainter: canvas size does not match width, expected a multiple of 4 pixels, got 30',
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
  const image = canvas(width, height);
  let y = 2;
  for (const [text, color, scale] of lines) {
    textPainter(image.data32, width, scale, BLACK)(2, y, text, color);
    y += (GLYPH_HEIGHT + 2) * scale;
  }
  assertGolden(t, 'font-sheet.png', image);
});
