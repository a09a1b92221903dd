import test from 'ava';
import { PNG } from 'pngjs';
import { activationSeries, activationsSpec } from '../../src/charts/activations-chart.js';
import { renderSvg, svgToPng } from '../../src/charts/render.js';
import { inkPixels, svgSize, svgTexts } from './helpers.js';

test('activationSeries: 1001 points each for step, sigmoid and relu over -5..5, worked out the slow way', (t) => {
  const points = activationSeries();
  t.is(points.length, 3 * 1001);
  const expected = {
    step: (x: number) => (x > 0 ? 1 : 0),
    sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
    relu: (x: number) => Math.max(0, x),
  };
  for (const { x, y, activation } of points) {
    if (Math.abs(y - expected[activation](x)) > 1e-6) t.fail(`${activation}(${x}) = ${y}, expected ${expected[activation](x)}`);
  }
  const step = points.filter((p) => p.activation === 'step');
  t.deepEqual([step[0].x, step[500].x, step[1000].x], [-5, 0, 5]);
  t.is(step[500].y, 0, 'step(0) = 0: the perceptron fires only for x > 0');
});

test('activationSeries: a bad range is an error', (t) => {
  t.throws(() => activationSeries(1, -1), { instanceOf: RangeError });
  t.throws(() => activationSeries(-5, 5, 1), { instanceOf: RangeError });
});

test('the activations chart has a legend with step, sigmoid and relu, and axis labels', async (t) => {
  const svg = await renderSvg(activationsSpec());
  const texts = svgTexts(svg);
  for (const name of ['step', 'sigmoid', 'relu', 'x', 'h(x)']) t.true(texts.includes(name), `"${name}" is written`);
  t.true(texts.includes('−5') && texts.includes('5'), 'x axis from −5 to 5');
});

test('the activations chart PNG decodes at twice the SVG size and has ink', async (t) => {
  const svg = await renderSvg(activationsSpec(activationSeries(-5, 5, 101)));
  const { width, height } = svgSize(svg);
  const png = PNG.sync.read(svgToPng(svg));
  t.deepEqual([png.width, png.height], [width * 2, height * 2]);
  t.true(inkPixels(png) > 5000);
});
