import test from 'ava';
import { PNG } from 'pngjs';
import { perClassSpec } from '../../src/charts/per-class-chart.js';
import { renderSvg, svgToPng } from '../../src/charts/render.js';
import { perClass } from '../../src/report/summary.js';
import { MNIST_CONFUSION, svgSize, svgTexts } from './helpers.js';

test('the bar chart labels every class and writes each accuracy as a percentage', async (t) => {
  const scores = perClass(MNIST_CONFUSION);
  const svg = await renderSvg(perClassSpec(scores, { overall: 0.965 }));
  const texts = svgTexts(svg);
  for (let label = 0; label < 10; label++) t.true(texts.includes(String(label)), `class ${label} on the axis`);
  t.true(texts.includes('99.3%'), 'class 0: 973 / 980');
  t.true(texts.includes('95.6%'), 'class 5: 853 / 892');
  t.true(texts.some((text) => text.includes('overall 96.50%')));
});

test('the bar chart PNG decodes at twice the SVG size', async (t) => {
  const svg = await renderSvg(perClassSpec(perClass(MNIST_CONFUSION)));
  const { width, height } = svgSize(svg);
  const png = PNG.sync.read(svgToPng(svg));
  t.deepEqual([png.width, png.height], [width * 2, height * 2]);
});

test('perClassSpec: classes below the overall accuracy are flagged; a class with no images says so', (t) => {
  const spec = perClassSpec(
    [
      { label: 0, total: 10, correct: 9, accuracy: 0.9 },
      { label: 1, total: 10, correct: 5, accuracy: 0.5 },
      { label: 2, total: 0, correct: 0, accuracy: null },
    ],
    { overall: 0.7 },
  );
  const values = (spec.data as { values: Array<{ label: number; below: boolean; text: string }> }).values;
  t.deepEqual(values.map((v) => [v.label, v.below, v.text]), [
    [0, false, '90.0%'],
    [1, true, '50.0%'],
    [2, false, 'no images'],
  ]);
});

test('with class names: the bars are labelled by name, in class order', async (t) => {
  const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const svg = await renderSvg(perClassSpec(perClass(MNIST_CONFUSION), { overall: 0.965, classes: names }));
  const texts = svgTexts(svg);
  const onAxis = texts.filter((text) => names.includes(text));
  t.deepEqual(onAxis, names, 'every name once, in class order');
  t.true(texts.includes('true class'));
  t.true(texts.includes('99.3%'));
});
