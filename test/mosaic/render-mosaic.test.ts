import test from 'ava';
import { measureText } from '../../src/mosaic/bitmap-font.js';
import { formatHeader, layOutMosaic, MOSAIC_LAYOUT, type MosaicHeader } from '../../src/mosaic/layout.js';
import { MOSAIC_PALETTE } from '../../src/mosaic/palette.js';
import { renderMosaic, type Mosaic } from '../../src/mosaic/render-mosaic.js';
import { assertGolden, assertTilesExact, noiseTiles, pixelAt, ringTile } from './helpers.js';
import type { Misclassified } from '../../src/types.js';

const BACKGROUND = [...MOSAIC_PALETTE.background, 255];
const headerFor = (tiles: readonly Misclassified[], total = 10000): MosaicHeader => ({
  total,
  misclassified: tiles.length,
  shown: tiles.length,
});

/** True when some pixel of the rectangle differs from the canvas background. */
function hasInk(mosaic: Mosaic, x0: number, y0: number, width: number, height: number): boolean {
  for (let y = y0; y < y0 + height; y++) {
    for (let x = x0; x < x0 + width; x++) {
      if (pixelAt(mosaic.data, mosaic.width, x, y).some((v, i) => v !== BACKGROUND[i])) return true;
    }
  }
  return false;
}

// The sizes themselves are layout's (layout.test.ts); here the buffer has them.
const sizes: Array<[number, number | undefined, number, string | undefined]> = [
  // tiles, columns, scale, title
  [50, 10, 2, undefined], [50, 10, 2, 'weights.pkl'], [12, 4, 3, undefined], [7, 3, 1, undefined], [5, undefined, 4, undefined], [400, undefined, 2, undefined],
];
for (const [count, columns, scale, title] of sizes) {
  test(`size: ${count} tiles, ${columns ?? 'default'} columns, scale ${scale}${title === undefined ? '' : ', a title'}: as laid out`, (t) => {
    const tiles = noiseTiles(count);
    const options = { rows: 28, cols: 28, scale, columns, header: { ...headerFor(tiles), title } };
    const mosaic = renderMosaic(tiles, options);
    const { width, height } = layOutMosaic(tiles, options);
    t.deepEqual([mosaic.width, mosaic.height], [width, height]);
    t.is(mosaic.data.length, width * height * 4);
    t.is(mosaic.placements.length, count);
  });
}

for (const scale of [1, 2, 3]) {
  test(`pixel-exact at scale ${scale}: each source pixel is a ${scale}×${scale} block of its gray`, (t) => {
    const tiles = noiseTiles(9, 28, 28, scale);
    const mosaic = renderMosaic(tiles, { rows: 28, cols: 28, scale, columns: 4, header: headerFor(tiles) });
    assertTilesExact(t, mosaic, mosaic, tiles, 28, 28, scale);
  });
}

test('pixel-exact for non-square images and all 256 gray values', (t) => {
  const pixels = Uint8Array.from({ length: 16 * 16 }, (_, i) => i);
  const tiles: Misclassified[] = [
    { index: 0, label: 1, predicted: 2, confidence: 0.5, pixels },
    { index: 1, label: 3, predicted: 4, confidence: 0.25, pixels: pixels.slice().reverse() },
  ];
  const wide = renderMosaic(
    tiles.map((tile) => ({ ...tile, pixels: tile.pixels.subarray(0, 8 * 32) })),
    { rows: 8, cols: 32, scale: 3, header: headerFor(tiles) },
  );
  assertTilesExact(t, wide, wide, tiles.map((tile) => ({ ...tile, pixels: tile.pixels.subarray(0, 8 * 32) })), 8, 32, 3);
  const square = renderMosaic(tiles, { rows: 16, cols: 16, scale: 1, header: headerFor(tiles) });
  assertTilesExact(t, square, square, tiles, 16, 16, 1);
});

test('tiles are placed in the order given, left to right, then top to bottom', (t) => {
  const tiles = noiseTiles(7);
  const mosaic = renderMosaic(tiles, { rows: 28, cols: 28, columns: 3, header: headerFor(tiles) });
  t.deepEqual(mosaic.placements.map((p) => p.index), tiles.map((tile) => tile.index));
  const grid = mosaic.placements.map((p) => [p.x, p.y]);
  const top = 6 + 18 + 8; // margin, header (totals and caption lines) at font scale 1, header gap
  t.deepEqual(grid, [
    [6, top], [68, top], [130, top],
    [6, top + 72], [68, top + 72], [130, top + 72],
    [6, top + 144],
  ]);
  t.deepEqual(
    mosaic.placements.map(({ label, predicted, confidence }) => ({ label, predicted, confidence })),
    tiles.map(({ label, predicted, confidence }) => ({ label, predicted, confidence })),
  );
});

test('captions: the form that fits the tile width, drawn under each digit', (t) => {
  const tiles = [ringTile(17, 7, 1, 0.934), ringTile(3, 4, 9, 1), ringTile(8, 0, 6, 0.05)];
  const captionsAt = (scale: number, cols = 28) =>
    renderMosaic(tiles.map((tile) => ({ ...tile, pixels: new Uint8Array(28 * cols) })), { rows: 28, cols, scale, header: headerFor(tiles) })
      .placements.map((p) => p.caption);
  t.deepEqual(captionsAt(1), ['7→1', '4→9', '0→6'], '28 px wide: just the labels');
  t.deepEqual(captionsAt(2), ['7→1 0.93', '4→9 1.00', '0→6 0.05'], '56 px wide: with the confidence');
  t.deepEqual(captionsAt(3, 50), ['true 7 · pred 1 · 0.93', 'true 4 · pred 9 · 1.00', 'true 0 · pred 6 · 0.05'], '150 px wide: the full form');

  const mosaic = renderMosaic(tiles, { rows: 28, cols: 28, scale: 2, header: headerFor(tiles) });
  for (const p of mosaic.placements) {
    const captionTop = p.y + p.height + MOSAIC_LAYOUT.captionGap;
    t.true(hasInk(mosaic, p.x, captionTop, p.width, 8), `caption of tile ${p.index} has ink`);
    const textWidth = measureText(p.caption, 1).width;
    t.true(textWidth <= p.width, `caption "${p.caption}" (${textWidth} px) fits the ${p.width} px tile`);
    t.false(hasInk(mosaic, p.x, p.y + p.height, p.width, MOSAIC_LAYOUT.captionGap), 'nothing between digit and caption');
  }
});

test('tiny images: pixel-exact in slots widened for their captions', (t) => {
  const tiles = noiseTiles(4, 4, 4);
  const mosaic = renderMosaic(tiles, { rows: 4, cols: 4, scale: 1, columns: 4, header: headerFor(tiles) });
  const slot = measureText('0→0').width; // 17 px, wider than the 4 px image
  const xs = mosaic.placements.map((p) => p.x);
  t.deepEqual(xs, [0, 1, 2, 3].map((i) => 6 + i * (slot + 6) + Math.floor((slot - 4) / 2)));
  assertTilesExact(t, mosaic, mosaic, tiles, 4, 4, 1);
});

test('the header is drawn at the top and the grid starts below it', (t) => {
  const tiles = noiseTiles(20);
  const mosaic = renderMosaic(tiles, { rows: 28, cols: 28, columns: 20, header: { total: 10000, misclassified: 648, shown: 20 } });
  t.true(hasInk(mosaic, 6, 6, mosaic.width - 12, 16), 'header line has ink');
  t.true(hasInk(mosaic, 6, 6 + 20, mosaic.width - 12, 16), 'the caption line has ink');
  t.false(hasInk(mosaic, 0, 0, mosaic.width, 6), 'top margin is empty');
  t.false(hasInk(mosaic, 0, 6 + 36, mosaic.width, 8), 'gap between header and grid is empty');
  t.is(mosaic.placements[0].y, 6 + 36 + 8);
  const headerWidth = measureText(formatHeader({ total: 10000, misclassified: 648, shown: 20 })[0], 2).width;
  t.true(hasInk(mosaic, 6 + headerWidth - 2, 6, 2, 16), 'the header ends where its text ends');
  t.false(hasInk(mosaic, 6 + headerWidth, 6, mosaic.width - 6 - headerWidth, 16));
});

test('no tiles: a small valid image with just the header', (t) => {
  const mosaic = renderMosaic([], { rows: 28, cols: 28, header: { total: 10000, misclassified: 0, shown: 0 } });
  const text = measureText('no misclassified images of 10000', 1);
  t.deepEqual([mosaic.width, mosaic.height], [6 + text.width + 6, 6 + 8 + 6]);
  t.is(mosaic.data.length, mosaic.width * mosaic.height * 4);
  t.deepEqual(mosaic.placements, []);
  t.true(hasInk(mosaic, 6, 6, text.width, 8));
  t.deepEqual(pixelAt(mosaic.data, mosaic.width, 0, 0), BACKGROUND);
});

test('no tiles shown although some were misclassified (cap 0)', (t) => {
  const mosaic = renderMosaic([], { rows: 28, cols: 28, header: { total: 10000, misclassified: 7, shown: 0 } });
  t.is(mosaic.height, 6 + 8 + 6);
  t.is(mosaic.width, 6 + measureText(formatHeader({ total: 10000, misclassified: 7, shown: 0 })[0]).width + 6);
});

test('rendering twice gives the same bytes (no state between runs)', (t) => {
  const tiles = noiseTiles(5);
  const options = { rows: 28, cols: 28, header: headerFor(tiles) };
  t.deepEqual(renderMosaic(tiles, options).data, renderMosaic(tiles, options).data);
});

test('bad input fails with what was expected and what came', (t) => {
  const tiles = noiseTiles(3);
  t.throws(() => renderMosaic([tiles[0], { ...tiles[1], pixels: new Uint8Array(783) }], { rows: 28, cols: 28, header: { total: 10, misclassified: 2, shown: 2 } }), {
    message: 'renderMosaic: tile 1 (index 107) has the wrong number of pixels, expected 784 (28×28), got 783',
  });
  t.throws(() => renderMosaic(tiles, { rows: 28, cols: 28, header: { total: 10, misclassified: 5, shown: 2 } }), {
    message: 'renderMosaic: header.shown must equal the number of tiles, expected 3, got 2',
  });
  t.throws(() => renderMosaic(tiles, { rows: 28, cols: 28, scale: 0, header: headerFor(tiles) }), {
    message: 'renderMosaic: scale must be a positive integer, got 0',
  });
  t.throws(() => renderMosaic(tiles, { rows: 28, cols: 28, columns: 2.5, header: headerFor(tiles) }), {
    message: 'renderMosaic: columns must be a positive integer, got 2.5',
  });
  t.throws(() => renderMosaic(tiles, { rows: 28, cols: 28, header: { total: 10, misclassified: 2, shown: 3 } }), {
    message: 'renderMosaic: header.misclassified (2) is less than header.shown (3)',
  });
});

test('golden: three captioned digits under a three-line header (title, totals, what a caption says)', (t) => {
  const tiles = [ringTile(17, 7, 1, 0.934), ringTile(412, 4, 9, 0.999), ringTile(9001, 0, 6, 0.5)];
  const mosaic = renderMosaic(tiles, {
    rows: 28,
    cols: 28,
    scale: 2,
    header: { total: 10000, misclassified: 648, shown: 3, title: 'golden' },
  });
  assertGolden(t, 'mosaic-3-tiles.png', mosaic);
});

test('golden: class names in the captions, cut to their first letters where a tile is narrow', (t) => {
  const classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const tiles = [ringTile(17, 6, 0, 0.934), ringTile(412, 9, 7, 0.999), ringTile(9001, 2, 4, 0.5)];
  const at = (scale: number) => renderMosaic(tiles, { rows: 28, cols: 28, scale, classes, header: { total: 10000, misclassified: 1463, shown: 3 } });
  t.deepEqual(at(8).placements.map((p) => p.caption), ['Shirt→T-shirt/top', 'Ankle boot→Sneaker', 'Pullover→Coat'], '224 px: whole names at font scale 2 rather than cut ones at 4');
  t.deepEqual(at(3).placements.map((p) => p.caption), ['Shirt→T-shir', 'Ankle→Sneake', 'Pullov→Coat'], '84 px: six letters');
  t.deepEqual(at(2).placements.map((p) => p.caption), ['Shir→T-sh', 'Ankl→Snea', 'Pull→Coat'], '56 px: four letters');
  t.deepEqual(at(1).placements.map((p) => p.caption), ['6→0', '9→7', '2→4'], '28 px: the numbers');
  const mosaic = at(4);
  t.deepEqual(mosaic.placements.map((p) => p.caption), ['Shirt→T-shirt/top', 'Ankle boot→Sneaker', 'Pullover→Coat']);
  assertGolden(t, 'mosaic-fashion-names.png', mosaic);
});
