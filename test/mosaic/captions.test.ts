import test from 'ava';
import { chooseCaption, formatConfidence } from '../../src/mosaic/captions.js';
import { MOSAIC_PALETTE } from '../../src/mosaic/palette.js';
import type { Prediction } from '../../src/types.js';

const tiles: Prediction[] = [
  { index: 17, label: 7, predicted: 1, confidence: 0.934 },
  { index: 3, label: 4, predicted: 9, confidence: 1 },
  { index: 8, label: 0, predicted: 6, confidence: 0.05 },
];

test('formatConfidence: two decimals', (t) => {
  t.deepEqual([0.934, 1, 0.05, 0.999].map(formatConfidence), ['0.93', '1.00', '0.05', '1.00']);
});

const FULL = ['true 7 · pred 1 · 0.93', 'true 4 · pred 9 · 1.00', 'true 0 · pred 6 · 0.05'];
const WITH_CONFIDENCE = ['7→1 0.93', '4→9 1.00', '0→6 0.05'];
const LABELS = ['7→1', '4→9', '0→6'];

// At font scale 1 a caption is 6 px a character less the gap after the last one: the full form
// is 22 characters (131 px), '7→1 0.93' 8 (47 px), '7→1' 3 (17 px). Font scales are tried from
// half the digit scale down, and at each the forms from the most readable.
const forms: Array<[number, number, string[], number]> = [
  // image width, digit scale, captions, font scale
  [150, 3, FULL, 1],
  [131, 2, FULL, 1],
  [130, 2, WITH_CONFIDENCE, 1],
  [56, 2, WITH_CONFIDENCE, 1],
  [47, 2, WITH_CONFIDENCE, 1],
  [46, 2, LABELS, 1],
  [28, 1, LABELS, 1],
  [112, 4, WITH_CONFIDENCE, 2],
  [94, 4, WITH_CONFIDENCE, 2],
  [93, 4, LABELS, 2],
  [168, 6, WITH_CONFIDENCE, 3],
  [140, 6, LABELS, 3],
];
for (const [imageWidth, scale, captions, fontScale] of forms) {
  test(`${imageWidth} px wide at digit scale ${scale}: "${captions[0]}" at font scale ${fontScale}`, (t) => {
    const choice = chooseCaption(tiles, imageWidth, scale);
    t.deepEqual(choice.captions.map((c) => c.text), captions);
    t.is(choice.scale, fontScale);
    t.true(choice.width <= imageWidth, 'the widest caption fits');
    t.is(choice.height, 8 * fontScale);
  });
}

test('the confidence loses its leading 0 where that is what fits every tile', (t) => {
  const unsure = tiles.map((tile) => ({ ...tile, confidence: Math.min(tile.confidence, 0.5) }));
  t.deepEqual(chooseCaption(unsure, 46, 2).captions.map((c) => c.text), ['7→1 .50', '4→9 .50', '0→6 .05'], "'7→1 .50' is 41 px");
  t.deepEqual(chooseCaption(tiles, 46, 2).captions.map((c) => c.text), LABELS, "not while one shows '1.00' (47 px)");
});

test('too narrow for every form: the shortest one at font scale 1, wider than the image', (t) => {
  const choice = chooseCaption(tiles, 4, 1);
  t.deepEqual(choice.captions.map((c) => c.text), LABELS);
  t.deepEqual([choice.scale, choice.width, choice.height], [1, 17, 8]);
});

test('a caption is runs coloured by meaning, and its length counts characters', (t) => {
  const [caption] = chooseCaption(tiles.slice(0, 1), 150, 3).captions;
  t.deepEqual(caption.runs, [
    { text: 'true ', color: MOSAIC_PALETTE.muted },
    { text: '7', color: MOSAIC_PALETTE.label },
    { text: ' · pred ', color: MOSAIC_PALETTE.muted },
    { text: '1', color: MOSAIC_PALETTE.predicted },
    { text: ' · 0.93', color: MOSAIC_PALETTE.muted },
  ]);
  t.is(caption.length, 22);
  const [short] = chooseCaption(tiles.slice(0, 1), 28, 1).captions;
  t.deepEqual(short.runs.map((run) => run.color), [MOSAIC_PALETTE.label, MOSAIC_PALETTE.muted, MOSAIC_PALETTE.predicted]);
  t.is(short.length, 3, 'the arrow is one character');
});

test('no tiles: no captions', (t) => {
  t.deepEqual(chooseCaption([], 56, 2), { captions: [], scale: 1, width: 0, height: 8, legend: 'caption: true · predicted · confidence' });
});

const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const fashionTiles: Prediction[] = [
  { index: 1, label: 6, predicted: 0, confidence: 0.934 },
  { index: 2, label: 9, predicted: 7, confidence: 0.5 },
];

// 'Ankle boot→Sneaker 0.50' is 23 characters (137 px at font scale 1), 'Ankle boot→Sneaker' 18 (107 px).
const named: Array<[number, number, string[], number, string]> = [
  // image width, digit scale, captions, font scale, legend
  [140, 2, ['Shirt→T-shirt/top 0.93', 'Ankle boot→Sneaker 0.50'], 1, 'caption: true→predicted confidence'],
  [136, 2, ['Shirt→T-shirt/top .93', 'Ankle boot→Sneaker .50'], 1, 'caption: true→predicted confidence'],
  [120, 2, ['Shirt→T-shirt/top', 'Ankle boot→Sneaker'], 1, 'caption: true→predicted'],
  [224, 8, ['Shirt→T-shirt/top', 'Ankle boot→Sneaker'], 2, 'caption: true→predicted'],
  [100, 2, ['Shirt→T-shirt/', 'Ankle bo→Sneaker'], 1, 'caption: true→predicted, names cut to 8 letters'],
  [56, 2, ['Shir→T-sh', 'Ankl→Snea'], 1, 'caption: true→predicted, names cut to 4 letters'],
  [28, 1, ['6→0', '9→7'], 1, 'caption: true→predicted, classes by number'],
];
for (const [imageWidth, scale, captions, fontScale, legend] of named) {
  test(`class names, ${imageWidth} px wide at digit scale ${scale}: "${captions[1]}" at font scale ${fontScale}`, (t) => {
    const choice = chooseCaption(fashionTiles, imageWidth, scale, FASHION);
    t.deepEqual(choice.captions.map((c) => c.text), captions);
    t.is(choice.scale, fontScale);
    t.is(choice.legend, legend);
    t.true(choice.width <= imageWidth);
  });
}

test('class names are cut only to lengths at which no two read alike', (t) => {
  // Cut to 3, 'Sandal' and 'Sandbox' would both read 'San': 4 letters ('Sand') do not tell them apart either, 6 do.
  const choice = chooseCaption([{ index: 0, label: 0, predicted: 1, confidence: 1 }], 40, 2, ['Sandal', 'Sandbox']);
  t.deepEqual(choice.captions.map((c) => c.text), ['0→1']);
  t.is(choice.legend, 'caption: true→predicted, classes by number');
});
