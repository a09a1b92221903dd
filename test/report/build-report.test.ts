import test from 'ava';
import { buildReport, sidecarPath } from '../../src/report/build-report.js';
import { ERRORS, facts } from './facts.js';
import type { ShardPart } from '../../src/types.js';

const KEYS = [
  'accuracy', 'correct', 'total', 'misclassified', 'confusion', 'perClass', 'normalize', 'batchSize', 'inputs', 'model',
  'mosaic', 'predictions', 'timing', 'forward', 'resources', 'range', 'errors',
];

test('the derived fields come from the counts', (t) => {
  const report = buildReport(facts());
  t.is(report.accuracy, 3 / 5);
  t.deepEqual(report.perClass, [
    { label: 0, total: 3, correct: 2, accuracy: 2 / 3 },
    { label: 1, total: 2, correct: 1, accuracy: 1 / 2 },
  ]);
  t.deepEqual(report.mosaic, { path: 'out/errors.png', sidecar: 'out/errors.tiles.json', shown: 1, leftOut: 1 });
  t.deepEqual(report.timing, { totalMs: 12.5, forwardMs: 2.5 });
  t.deepEqual(report.errors, ERRORS);
});

test('no images: accuracy 0, and a class without images has accuracy null', (t) => {
  const report = buildReport(facts({ evaluation: { total: 0, correct: 0, confusion: [[0, 0], [0, 0]], forwardMs: 0 }, misclassified: 0, errors: [], mosaic: { path: 'e.png', shown: 0 } }));
  t.is(report.accuracy, 0);
  t.deepEqual(report.perClass.map((score) => score.accuracy), [null, null]);
  t.is(report.mosaic.leftOut, 0);
});

test('the keys come in the same order for every report, a shard\'s part last', (t) => {
  t.deepEqual(Object.keys(buildReport(facts())), KEYS);
  const shard: ShardPart = { index: 0, count: 2, start: 0, end: 5, rows: 2, cols: 2, mosaicCap: 10, mosaicOrder: 'index', tiles: [] };
  const partial = buildReport(facts({ shard }));
  t.deepEqual(Object.keys(partial), [...KEYS, 'shard']);
  t.is(partial.shard, shard);
});

test('errors given as a function are made once, when first read', (t) => {
  let calls = 0;
  const report = buildReport(facts({ errors: () => (calls++, ERRORS) }));
  t.is(calls, 0);
  t.is(report.errors, ERRORS);
  t.is(report.errors, ERRORS);
  t.is(calls, 1);
});

test('the sidecar (the tile index) sits beside the mosaic as <stem>.tiles.json, apart from <stem>.json', (t) => {
  t.is(sidecarPath('out/errors.png'), 'out/errors.tiles.json');
  t.is(sidecarPath('mosaic'), 'mosaic.tiles.json');
  t.is(sidecarPath('a.b/m.PNG'), 'a.b/m.tiles.json');
  t.not(sidecarPath('run.png'), 'run.json');
});
