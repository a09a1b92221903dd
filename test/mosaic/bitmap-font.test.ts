import test from 'ava';
import { checkFontScale, GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows, hasGlyph, measureText, textWidth } from '../../src/mosaic/bitmap-font.js';

/** A glyph as art: '#' for a set bit (bit 4 is the leftmost column), '.' for a clear one. */
const art = (char: string): string[] =>
  Array.from(glyphRows(char), (mask) => Array.from({ length: GLYPH_WIDTH }, (_, col) => ((mask >> (GLYPH_WIDTH - 1 - col)) & 1 ? '#' : '.')).join(''));

test('measureText: glyphs advance 6 pixels, no gap after the last one, 8 rows tall', (t) => {
  t.deepEqual(measureText(''), { width: 0, height: 8 });
  t.deepEqual(measureText('a'), { width: 5, height: 8 });
  t.deepEqual(measureText('abc', 2), { width: 34, height: 16 });
  t.deepEqual(measureText('7→1 0.93'), { width: 47, height: 8 }, 'the arrow counts as one character');
  t.is(GLYPH_ADVANCE, 6);
  t.is(GLYPH_HEIGHT, 8);
});

test('textWidth counts characters as measureText does', (t) => {
  t.is(textWidth(0, 3), 0);
  t.is(textWidth(1, 1), 5);
  t.is(textWidth(8, 2), measureText('7→1 0.93', 2).width);
});

test('every character of captions and headers has its own glyph', (t) => {
  const used = '0123456789 .:→>·/(),-%=' + 'abcdefghijklmnopqrstuvwxyz' + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' + '_<[]+?!\'"#*←;';
  const missing = Array.from(used).filter((char) => !hasGlyph(char));
  t.deepEqual(missing, []);
});

test('glyph rows: "7" and the descender of "g"', (t) => {
  t.deepEqual(art('7'), ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...', '.....']);
  t.deepEqual(art('g'), ['.....', '.....', '.####', '#...#', '#...#', '.####', '....#', '.###.']);
});

test('a character with no glyph has the rows of a box', (t) => {
  t.false(hasGlyph('€'));
  t.deepEqual(art('€'), ['#####', '#...#', '#...#', '#...#', '#...#', '#...#', '#####', '.....']);
});

test('a font scale must be a positive integer', (t) => {
  t.throws(() => measureText('a', 0), { message: 'font scale must be a positive integer, got 0' });
  t.throws(() => checkFontScale(1.5), { message: 'font scale must be a positive integer, got 1.5' });
  t.notThrows(() => checkFontScale(3));
});
