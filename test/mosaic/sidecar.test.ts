import test from 'ava';
import { PNG } from 'pngjs';
import { renderMosaic, type Mosaic } from '../../src/mosaic/render-mosaic.js';
import { encodeMosaicPng, mosaicSidecar } from '../../src/mosaic/sidecar.js';
import { assertTilesExact, noiseTiles } from './helpers.js';

function mosaicOf(count: number, scale: number, columns?: number): { mosaic: Mosaic; tiles: ReturnType<typeof noiseTiles> } {
  const tiles = noiseTiles(count, 28, 28, 40 + count);
  const mosaic = renderMosaic(tiles, { rows: 28, cols: 28, scale, columns, header: { total: 10000, misclassified: 648, shown: count } });
  return { mosaic, tiles };
}

const cases: Array<[number, number, number, number, number]> = [
  // tiles, scale, columns, PNG width, PNG height (see mosaic.test.ts for the layout arithmetic)
  [10, 1, 5, 6 + 63 * 6 - 1 + 6, 6 + 8 + 8 + (2 * 38 + 6) + 6],
  [10, 2, 5, 6 + 63 * 6 - 1 + 6, 6 + 8 + 8 + (2 * 66 + 6) + 6],
  [10, 3, 5, 6 + (5 * 84 + 4 * 6) + 6, 6 + 8 + 8 + (2 * 94 + 6) + 6],
  [40, 2, 20, 6 + (20 * 56 + 19 * 6) + 6, 6 + 16 + 8 + (2 * 66 + 6) + 6],
];

for (const [count, scale, columns, width, height] of cases) {
  test(`PNG of ${count} tiles at scale ${scale}, ${columns} columns: ${width}×${height}, decodes pixel-exact`, (t) => {
    const { mosaic, tiles } = mosaicOf(count, scale, columns);
    const png = PNG.sync.read(encodeMosaicPng(mosaic));
    t.deepEqual([png.width, png.height], [width, height]);
    t.true(Buffer.from(mosaic.data).equals(png.data), 'decoded RGBA equals the mosaic buffer');
    assertTilesExact(t, png, mosaic, tiles, 28, 28, scale);
  });
}

test('the PNG is 8-bit RGB (colour type 2): the alpha is always opaque', (t) => {
  const buffer = encodeMosaicPng(mosaicOf(2, 1).mosaic);
  t.deepEqual([...buffer.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  t.is(buffer.toString('latin1', 12, 16), 'IHDR');
  t.is(buffer[24], 8, 'bit depth');
  t.is(buffer[25], 2, 'colour type');
});

test('mosaic data that is a view into a larger buffer encodes correctly', (t) => {
  const { mosaic } = mosaicOf(3, 2);
  const pool = new Uint8Array(mosaic.data.length + 13);
  pool.set(mosaic.data, 13);
  const png = PNG.sync.read(encodeMosaicPng({ ...mosaic, data: pool.subarray(13) }));
  t.true(Buffer.from(mosaic.data).equals(png.data));
});

test('an empty mosaic encodes to a valid PNG', (t) => {
  const mosaic = renderMosaic([], { rows: 28, cols: 28, header: { total: 10000, misclassified: 0, shown: 0 } });
  const png = PNG.sync.read(encodeMosaicPng(mosaic));
  t.deepEqual([png.width, png.height], [mosaic.width, mosaic.height]);
});

test('encodeMosaicPng rejects data of the wrong size', (t) => {
  const { mosaic } = mosaicOf(1, 1);
  t.throws(() => encodeMosaicPng({ ...mosaic, data: mosaic.data.subarray(4) }), {
    message: `encodeMosaicPng: image data size does not match width/height, expected ${mosaic.data.length}, got ${mosaic.data.length - 4}`,
  });
});

test('sidecar: maps every tile to its dataset index and rectangle, with totals', (t) => {
  const { mosaic, tiles } = mosaicOf(7, 2, 3);
  const sidecar = mosaicSidecar(mosaic, { total: 10000, misclassified: 648, order: 'confidence', image: 'errors.png' });
  t.like(sidecar, { image: 'errors.png', width: mosaic.width, height: mosaic.height, order: 'confidence', total: 10000, misclassified: 648, shown: 7, leftOut: 641 });
  t.deepEqual(sidecar.tiles.map((tile) => tile.tile), [0, 1, 2, 3, 4, 5, 6]);
  t.deepEqual(sidecar.tiles.map((tile) => tile.index), tiles.map((tile) => tile.index));
  for (const [i, entry] of sidecar.tiles.entries()) {
    const { x, y, width, height } = mosaic.placements[i];
    const { label, predicted, confidence } = tiles[i];
    t.deepEqual(entry, { tile: i, index: tiles[i].index, label, predicted, confidence, x, y, width, height });
  }
  t.deepEqual(JSON.parse(JSON.stringify(sidecar)), sidecar, 'plain JSON');
});

test('sidecar: optional fields are left out, and an empty mosaic has no tiles', (t) => {
  const mosaic = renderMosaic([], { rows: 28, cols: 28, header: { total: 10000, misclassified: 0, shown: 0 } });
  const sidecar = mosaicSidecar(mosaic, { total: 10000, misclassified: 0 });
  t.deepEqual(sidecar, { width: mosaic.width, height: mosaic.height, total: 10000, misclassified: 0, shown: 0, leftOut: 0, tiles: [] });
});

test('sidecar: fewer misclassified than shown is a bug in the caller', (t) => {
  const { mosaic } = mosaicOf(3, 1);
  t.throws(() => mosaicSidecar(mosaic, { total: 10, misclassified: 2 }), {
    message: 'mosaicSidecar: misclassified (2) is less than the 3 tiles shown',
  });
});
