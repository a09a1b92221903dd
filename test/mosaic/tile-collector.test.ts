import test from 'ava';
import { compareTiles, orderTiles, TileCollector } from '../../src/mosaic/tile-collector.js';
import { lcg } from './helpers.js';
import type { Misclassified } from '../../src/types.js';

const tile = (index: number, confidence: number, pixels = new Uint8Array(4)): Misclassified => ({
  index,
  label: index % 10,
  predicted: (index + 1) % 10,
  confidence,
  pixels,
});

/** `count` tiles with indices 0..count-1 in a shuffled order, confidences on a coarse grid (so ties happen). */
function shuffledTiles(count: number, seed: number): Misclassified[] {
  const random = lcg(seed);
  const tiles = Array.from({ length: count }, (_, i) => tile(i, Math.floor(random() * 1000) / 1000));
  for (let i = tiles.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [tiles[i], tiles[j]] = [tiles[j], tiles[i]];
  }
  return tiles;
}

test('orderTiles by index, and by confidence with ties by index; the input is not changed', (t) => {
  const tiles = [tile(5, 0.5), tile(2, 0.9), tile(9, 0.5), tile(1, 0.2), tile(7, 0.9)];
  const before = tiles.map((x) => x.index);
  t.deepEqual(orderTiles(tiles, 'index').map((x) => x.index), [1, 2, 5, 7, 9]);
  t.deepEqual(orderTiles(tiles, 'confidence').map((x) => x.index), [2, 7, 5, 9, 1]);
  t.deepEqual(tiles.map((x) => x.index), before);
});

test('NaN confidence sorts after every number', (t) => {
  const tiles = [tile(1, Number.NaN), tile(2, 0), tile(3, 1)];
  t.deepEqual(orderTiles(tiles, 'confidence').map((x) => x.index), [3, 2, 1]);
  t.true(compareTiles('confidence')(tile(0, Number.NaN), tile(1, -1)) > 0);
});

test('TileCollector, order index: 100000 offered in random order, cap 10 → indices 0..9', (t) => {
  const collector = new TileCollector(10, 'index');
  for (const x of shuffledTiles(100_000, 1)) collector.offer(x);
  t.deepEqual(collector.tiles().map((x) => x.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.is(collector.offered, 100_000);
  t.is(collector.size, 10);
  t.is(collector.leftOut, 99_990);
});

test('TileCollector, order confidence: 100000 offered, cap 10 → the 10 most confident, ties by index', (t) => {
  const tiles = shuffledTiles(100_000, 2);
  const collector = new TileCollector(10, 'confidence');
  for (const x of tiles) collector.offer(x);
  // The slow, obvious way: sort everything.
  const expected = [...tiles].sort((a, b) => b.confidence - a.confidence || a.index - b.index).slice(0, 10);
  t.deepEqual(collector.tiles().map((x) => [x.index, x.confidence]), expected.map((x) => [x.index, x.confidence]));
  t.true(expected[0].confidence === expected[9].confidence, 'the fixture really has ties at the top');
  t.is(collector.offered, 100_000);
  t.is(collector.size, 10);
});

test('TileCollector in dataset order: offered already sorted keeps the first cap', (t) => {
  const collector = new TileCollector(3, 'index');
  for (let i = 0; i < 1000; i++) collector.offer(tile(i, 0.5));
  t.deepEqual(collector.tiles().map((x) => x.index), [0, 1, 2]);
});

test('TileCollector with equal confidences keeps the lowest indices', (t) => {
  const collector = new TileCollector(4, 'confidence');
  for (const i of [9, 3, 7, 1, 8, 2, 6, 0, 5, 4]) collector.offer(tile(i, 0.75));
  t.deepEqual(collector.tiles().map((x) => x.index), [0, 1, 2, 3]);
});

test('TileCollector: cap 0 keeps nothing but counts; a cap above the count keeps all, sorted', (t) => {
  const none = new TileCollector(0, 'confidence');
  for (const x of shuffledTiles(50, 3)) none.offer(x);
  t.deepEqual(none.tiles(), []);
  t.is(none.offered, 50);
  t.is(none.leftOut, 50);

  const all = new TileCollector(100, 'confidence');
  const tiles = shuffledTiles(50, 4);
  for (const x of tiles) all.offer(x);
  t.deepEqual(all.tiles().map((x) => x.index), orderTiles(tiles, 'confidence').map((x) => x.index));
  t.is(all.leftOut, 0);
});

test('TileCollector keeps its own copy of the pixels (sources may reuse their buffers)', (t) => {
  const buffer = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const collector = new TileCollector(2, 'index');
  collector.offer(tile(0, 0.5, buffer.subarray(0, 4)));
  collector.offer(tile(1, 0.5, buffer.subarray(4, 8)));
  buffer.fill(0);
  const kept = collector.tiles();
  t.deepEqual([...kept[0].pixels, ...kept[1].pixels], [1, 2, 3, 4, 5, 6, 7, 8]);
  t.is(kept[0].pixels.buffer.byteLength, 4, 'not a view into the big buffer');
});

test('TileCollector keeps the caller’s own tile type', (t) => {
  interface Wrong extends Misclassified {
    readonly note: string;
  }
  const collector = new TileCollector<Wrong>(1, 'index');
  collector.offer({ ...tile(3, 0.5), note: 'kept' });
  const [kept] = collector.tiles();
  t.is(kept.note, 'kept');
});

test('TileCollector rejects a bad cap', (t) => {
  t.throws(() => new TileCollector(-1, 'index'), { message: 'TileCollector: cap must be a non-negative integer, got -1' });
  t.throws(() => new TileCollector(2.5, 'index'), { message: /got 2.5/ });
});
