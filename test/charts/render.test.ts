import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { FONT_CANDIDATES, findChartFont } from '../../src/charts/chart-font.js';
import { renderSvg, svgToPng } from '../../src/charts/render.js';
import { inkPixels, svgSize, svgTexts } from './helpers.js';

const TEXT_ONLY = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="28" font-family="sans-serif" font-size="24">973</text></svg>';

test('svgToPng draws text: a font was found, and the generic sans-serif maps to it', (t) => {
  const font = findChartFont();
  t.truthy(font, `no chart font: expected one of ${FONT_CANDIDATES.map((f) => f.file).join(', ')} (Debian: apt-get install fonts-dejavu-core)`);
  t.log(`chart font: ${font?.family} (${font?.file})`);
  const png = PNG.sync.read(svgToPng(TEXT_ONLY, { scale: 1 }));
  t.deepEqual([png.width, png.height], [120, 40]);
  t.true(inkPixels(png) > 100, `only ${inkPixels(png)} dark pixels: the text was not drawn`);
});

test('svgToPng scales by 2 by default and paints a white background', (t) => {
  const png = PNG.sync.read(svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"></svg>'));
  t.deepEqual([png.width, png.height], [60, 40]);
  t.deepEqual([...png.data.subarray(0, 4)], [255, 255, 255, 255]);
});

test('renderSvg compiles a vega-lite spec to SVG text with the data in it', async (t) => {
  const svg = await renderSvg({
    width: 100,
    height: 60,
    data: { values: [{ k: 'alpha', v: 3 }, { k: 'beta', v: 5 }] },
    mark: 'bar',
    encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } },
  });
  t.true(svg.startsWith('<svg'));
  t.true(svgTexts(svg).includes('alpha') && svgTexts(svg).includes('beta'));
  t.true(svgSize(svg).width > 100);
});

test('findChartFont: MNIST_EVAL_CHART_FONT wins, a missing file is an error naming it, else the first candidate that exists', (t) => {
  t.deepEqual(findChartFont({ MNIST_EVAL_CHART_FONT: '/f/x.ttf', MNIST_EVAL_CHART_FONT_FAMILY: 'X Sans' }, () => true), { file: '/f/x.ttf', family: 'X Sans' });
  t.throws(() => findChartFont({ MNIST_EVAL_CHART_FONT: '/nope.ttf' }, () => false), { message: /MNIST_EVAL_CHART_FONT: \/nope\.ttf does not exist/ });
  const second = FONT_CANDIDATES[1].file;
  t.is(findChartFont({}, (path) => path === second)?.file, second);
  t.is(findChartFont({}, () => false), undefined);
});

test('vega and vega-lite are never imported statically by src/ (they load on first render)', (t) => {
  const offenders: string[] = [];
  for (const folder of ['src']) {
    for (const name of readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'))) {
      const source = readFileSync(join(folder, name), 'utf8');
      // `import type` is erased; anything else (import … from 'vega', export … from) loads vega at start-up.
      if (/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+['"](?:vega|vega-lite)['"]/m.test(source)) offenders.push(join(folder, name));
    }
  }
  t.deepEqual(offenders, []);
});
