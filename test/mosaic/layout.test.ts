import test from 'ava';
import { measureText } from '../../src/mosaic/bitmap-font.js';
import { defaultColumns, formatHeader, layOutMosaic, MOSAIC_LAYOUT, tileSlot, type MosaicHeader } from '../../src/mosaic/layout.js';
import type { Prediction } from '../../src/types.js';

const predictions = (count: number): Prediction[] =>
  Array.from({ length: count }, (_, i) => ({ index: i, label: i % 10, predicted: (i + 1) % 10, confidence: 0.5 }));
const headerFor = (count: number, title?: string): MosaicHeader => ({ total: 10000, misclassified: count, shown: count, title });

test('spacing', (t) => {
  t.deepEqual(MOSAIC_LAYOUT, { margin: 6, gap: 6, captionGap: 2, lineGap: 2, headerGap: 8 });
});

// Margin 6, gap 6, caption gap 2, header gap 8. A 28×28 digit at scale 2 is a 56×56 image over an
// 8-pixel caption (font scale 1): a 56×66 slot. The header is at font scale 2 (16 px a line, 20 from
// one line to the next) when it fits across the grid, else at scale 1 (8 px, 10 apart); the canvas
// widens for a wider header. Under the totals, a line says what a caption says (+20 or +10 px).
const sizes: Array<[string, number, number | undefined, number, string | undefined, number, number]> = [
  // name, tiles, columns, scale, title, width, height
  ['50 tiles, 10 columns, scale 2', 50, 10, 2, undefined, 6 + (10 * 56 + 9 * 6) + 6, 6 + 36 + 8 + (5 * 66 + 4 * 6) + 6],
  ['50 tiles with a title line', 50, 10, 2, 'weights.pkl', 626, 410 + 16 + 4],
  ['12 tiles, 4 columns, scale 3', 12, 4, 3, undefined, 6 + (4 * 84 + 3 * 6) + 6, 6 + 18 + 8 + (3 * 94 + 2 * 6) + 6],
  ['7 tiles, 3 columns, scale 1: the header is wider than the grid', 7, 3, 1, undefined, 6 + (48 * 6 - 1) + 6, 6 + 18 + 8 + (3 * 38 + 2 * 6) + 6],
  ['5 tiles, default columns (3), scale 4: captions at font scale 2', 5, undefined, 4, undefined, 6 + (3 * 112 + 2 * 6) + 6, 6 + 18 + 8 + (2 * 130 + 6) + 6],
  ['3 tiles, 20 columns: the grid is only 3 wide', 3, 20, 2, undefined, 6 + (48 * 6 - 1) + 6, 6 + 18 + 8 + 66 + 6],
  ['400 tiles, default columns (20)', 400, undefined, 2, undefined, 6 + (20 * 56 + 19 * 6) + 6, 6 + 36 + 8 + (20 * 66 + 19 * 6) + 6],
  ['no tiles: just the header', 0, undefined, 2, undefined, 6 + measureText('no misclassified images of 10000').width + 6, 6 + 8 + 6],
];

for (const [name, count, columns, scale, title, width, height] of sizes) {
  test(`size: ${name} → ${width}×${height}`, (t) => {
    const layout = layOutMosaic(predictions(count), { rows: 28, cols: 28, scale, columns, header: headerFor(count, title) });
    t.deepEqual([layout.width, layout.height], [width, height]);
  });
}

test('tiles go left to right, then top to bottom; the image is centred in its slot', (t) => {
  const layout = layOutMosaic(predictions(7), { rows: 28, cols: 28, scale: 2, columns: 3, header: headerFor(7) });
  const top = 6 + 18 + 8; // margin, header (two lines) at font scale 1, header gap
  t.is(layout.gridTop, top);
  t.deepEqual([layout.columns, layout.gridRows, layout.slotWidth, layout.slotHeight], [3, 3, 56, 66]);
  t.deepEqual(Array.from({ length: 7 }, (_, i) => tileSlot(layout, i)).map(({ x, y, imageX }) => [x, y, imageX]), [
    [6, top, 6], [68, top, 68], [130, top, 130],
    [6, top + 72, 6], [68, top + 72, 68], [130, top + 72, 130],
    [6, top + 144, 6],
  ]);
});

test('tiny images widen their slots so captions never overlap', (t) => {
  const layout = layOutMosaic(predictions(4), { rows: 4, cols: 4, scale: 1, columns: 4, header: headerFor(4) });
  const slot = measureText('0→1').width; // 17 px, wider than the 4 px image
  t.is(layout.slotWidth, slot);
  t.deepEqual([0, 1, 2, 3].map((i) => tileSlot(layout, i).imageX), [0, 1, 2, 3].map((i) => 6 + i * (slot + 6) + Math.floor((slot - 4) / 2)));
});

test('the header: font scale 2 where it fits across the grid, lines 2 font pixels apart', (t) => {
  const wide = layOutMosaic(predictions(20), { rows: 28, cols: 28, scale: 2, columns: 20, header: { total: 10000, misclassified: 648, shown: 20, title: 'golden' } });
  t.deepEqual(wide.header, {
    lines: ['golden', '648 misclassified of 10000 (6.48%) · showing 20 · 628 not shown', 'caption: true→predicted confidence'],
    scale: 2,
    width: measureText(wide.header.lines[1], 2).width,
    height: 16 + 4 + 16 + 4 + 16,
    lineHeight: 20,
  });
  const narrow = layOutMosaic(predictions(3), { rows: 28, cols: 28, scale: 2, header: headerFor(3) });
  t.like(narrow.header, { scale: 1, height: 18, lineHeight: 10 });
});

test('the header grows with the captions: at --mosaic-scale 8 the captions are at font scale 4, and so is a header that fits', (t) => {
  const layout = layOutMosaic(predictions(20), { rows: 28, cols: 28, scale: 8, columns: 10, header: headerFor(20) });
  t.is(layout.caption.scale, 4);
  t.is(layout.header.scale, 4);
  t.is(layout.header.lineHeight, 40);
  const scale2 = layOutMosaic(predictions(20), { rows: 28, cols: 28, scale: 2, columns: 10, header: headerFor(20) });
  t.deepEqual([scale2.caption.scale, scale2.header.scale], [1, 2]);
});

test('the caption line names the caption form that was chosen', (t) => {
  const legend = (scale: number, cols = 28) => layOutMosaic(predictions(3), { rows: 28, cols, scale, header: headerFor(3) }).header.lines.at(-1);
  t.is(legend(3, 50), 'caption: true · predicted · confidence', '"true 0 · pred 1 · 0.50" (131 px) fits 150 px');
  t.is(legend(2), 'caption: true→predicted confidence');
  t.is(legend(1), 'caption: true→predicted', 'only "0→1" fits 28 px');
  t.deepEqual(layOutMosaic([], { rows: 28, cols: 28, scale: 2, header: headerFor(0) }).header.lines, ['no misclassified images of 10000'], 'no tiles: no caption to explain');
});

test('defaultColumns: a square grid, at most 20 wide', (t) => {
  t.deepEqual([0, 1, 2, 5, 9, 10, 400, 401, 10000].map(defaultColumns), [1, 1, 2, 3, 3, 4, 20, 20, 20]);
});

const headers: Array<[MosaicHeader, string[]]> = [
  [{ total: 10000, misclassified: 648, shown: 200 }, ['648 misclassified of 10000 (6.48%) · showing 200 · 448 not shown']],
  [{ total: 10000, misclassified: 648, shown: 648 }, ['648 misclassified of 10000 (6.48%) · showing all 648']],
  [{ total: 10000, misclassified: 0, shown: 0 }, ['no misclassified images of 10000']],
  [{ total: 10000, misclassified: 7, shown: 0 }, ['7 misclassified of 10000 (0.07%) · showing 0 · 7 not shown']],
  [{ total: 60000, misclassified: 1, shown: 1, title: 'sample_weight.pkl · most confident first' }, ['sample_weight.pkl · most confident first', '1 misclassified of 60000 (<0.01%) · showing all 1']],
  [{ total: 0, misclassified: 0, shown: 0, title: '' }, ['no misclassified images of 0']],
];
for (const [header, lines] of headers) {
  test(`formatHeader: ${lines.at(-1)}`, (t) => {
    t.deepEqual(formatHeader(header), lines);
  });
}
