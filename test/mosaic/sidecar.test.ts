import test from 'ava';
import { renderMosaic } from '../../src/mosaic/render-mosaic.js';
import { mosaicSidecar } from '../../src/mosaic/sidecar.js';
import { noiseMosaic } from './helpers.js';

test('sidecar: maps every tile to its dataset index and rectangle, with totals', (t) => {
  const { mosaic, tiles } = noiseMosaic(7, 2, 3);
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

test('sidecar: the JSON keys come in a fixed order', (t) => {
  const sidecar = mosaicSidecar(noiseMosaic(2, 2).mosaic, { total: 10000, misclassified: 648, order: 'index', image: 'errors.png' });
  t.deepEqual(Object.keys(sidecar), ['image', 'width', 'height', 'order', 'total', 'misclassified', 'shown', 'leftOut', 'tiles']);
  for (const tile of sidecar.tiles) t.deepEqual(Object.keys(tile), ['tile', 'index', 'label', 'predicted', 'confidence', 'x', 'y', 'width', 'height']);
});

test('sidecar: optional fields are left out, and an empty mosaic has no tiles', (t) => {
  const mosaic = renderMosaic([], { rows: 28, cols: 28, header: { total: 10000, misclassified: 0, shown: 0 } });
  const sidecar = mosaicSidecar(mosaic, { total: 10000, misclassified: 0 });
  t.deepEqual(sidecar, { width: mosaic.width, height: mosaic.height, total: 10000, misclassified: 0, shown: 0, leftOut: 0, tiles: [] });
});

test('sidecar: fewer misclassified than shown is a bug in the caller', (t) => {
  const { mosaic } = noiseMosaic(3, 1);
  t.throws(() => mosaicSidecar(mosaic, { total: 10, misclassified: 2 }), {
    message: 'mosaicSidecar: misclassified (2) is less than the 3 tiles shown',
  });
});

test('sidecar: with class names, the full names at the top and each tile\'s two beside its numbers', (t) => {
  const { mosaic, tiles } = noiseMosaic(3, 2, 3);
  const classes = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const sidecar = mosaicSidecar(mosaic, { total: 100, misclassified: 3, classes });
  t.deepEqual(Object.keys(sidecar), ['width', 'height', 'total', 'misclassified', 'shown', 'leftOut', 'classes', 'tiles']);
  t.deepEqual(sidecar.classes, classes);
  const { label, predicted } = tiles[0];
  t.deepEqual(Object.keys(sidecar.tiles[0]), ['tile', 'index', 'label', 'predicted', 'confidence', 'labelName', 'predictedName', 'x', 'y', 'width', 'height']);
  t.like(sidecar.tiles[0], { labelName: classes[label], predictedName: classes[predicted] });
  t.false('classes' in mosaicSidecar(mosaic, { total: 100, misclassified: 3 }), 'digits: no names');
});
