import test from 'ava';
import { PNG } from 'pngjs';
import { confusionCells, confusionSpec } from '../../src/charts/confusion-chart.js';
import { renderSvg, svgToPng } from '../../src/charts/render.js';
import { inkPixels, MNIST_CONFUSION, svgSize, svgTexts } from './helpers.js';

/** How often each string occurs. */
function tally(strings: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of strings) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}

test('confusionCells: one cell per entry, row by row, the diagonal marked correct', (t) => {
  const cells = confusionCells([[5, 2], [0, 7]]);
  t.deepEqual(cells.map(({ label, predicted, count, correct }) => [label, predicted, count, correct]), [
    [0, 0, 5, true],
    [0, 1, 2, false],
    [1, 0, 0, false],
    [1, 1, 7, true],
  ]);
});

test('confusionCells: dark cells are measured against their own scale (diagonal or errors)', (t) => {
  const dark = confusionCells([[900, 30, 1], [2, 800, 0], [10, 0, 100]]).filter((c) => c.dark).map((c) => [c.label, c.predicted]);
  // diagonal max 900: 900 and 800 are dark, 100 is not; errors max 30: only 30 is dark (10 < 0.55 × 30).
  t.deepEqual(dark, [[0, 0], [0, 1], [1, 1]]);
});

test('confusionCells: a matrix that is not square is an error naming the row', (t) => {
  t.throws(() => confusionCells([[1, 2], [3]]), { message: 'confusion matrix: row 1 has 1 columns, expected 2 (a square matrix)' });
});

test('the heatmap SVG writes every cell count and every class label', async (t) => {
  const svg = await renderSvg(confusionSpec(MNIST_CONFUSION));
  const texts = tally(svgTexts(svg));
  t.true(texts.has('973'), 'the count 973 (row 0, column 0) is written');
  t.true(texts.has('1122'), 'a 4-digit count is written without a thousands separator');
  // Each count appears at least as often as it occurs in the matrix (axis labels 0–9 add more).
  const cells = tally(MNIST_CONFUSION.flat().map(String));
  for (const [count, times] of cells) t.true((texts.get(count) ?? 0) >= times, `count ${count}: ${times} cells, ${texts.get(count) ?? 0} texts`);
  // The class labels on both axes: each of 0–9 at least twice beyond its uses as a count.
  for (let label = 0; label < 10; label++) {
    t.true((texts.get(String(label)) ?? 0) >= (cells.get(String(label)) ?? 0) + 2, `label ${label} on both axes`);
  }
  t.true(texts.has('true label') && texts.has('predicted'));
});

test('the heatmap PNG decodes at twice the SVG size and has ink', async (t) => {
  const svg = await renderSvg(confusionSpec(MNIST_CONFUSION));
  const { width, height } = svgSize(svg);
  const png = PNG.sync.read(svgToPng(svg));
  t.deepEqual([png.width, png.height], [width * 2, height * 2]);
  t.true(inkPixels(png) > 10_000);
});

test('a matrix with no errors renders (the error scale does not divide by zero)', async (t) => {
  const svg = await renderSvg(confusionSpec([[4, 0], [0, 6]]));
  const texts = svgTexts(svg);
  t.true(texts.includes('4') && texts.includes('6'));
  t.false(svg.includes('NaN'));
});

test('with class names: both axes name the classes, in class order', async (t) => {
  const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const svg = await renderSvg(confusionSpec(MNIST_CONFUSION, { classes: names }));
  const texts = svgTexts(svg);
  t.deepEqual(texts.filter((text) => names.includes(text)), [...names, ...names], 'the columns\' names, then the rows\'');
  t.true(tally(texts).has('973'), 'the counts stay');
  t.true(texts.includes('true class'));
});
