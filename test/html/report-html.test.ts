import test from 'ava';
import { PNG } from 'pngjs';
import { buildHtmlReport } from '../../src/html/build-html-report.js';
import { encodeDigitPng } from '../../src/html/digit-png.js';
import { escapeHtml, jsonForScript, scopeSvgIds } from '../../src/html/escape-html.js';
import { renderHtmlReport, type HtmlReportSummary } from '../../src/html/report-html.js';
import { CONFUSION, COLS, MISCLASSIFIED, ROWS, STAND_IN_HEAT, syntheticInput } from './synthetic-report.js';
import type { Report } from '../../src/types.js';

// The run's Report must fit the page's input as it is (checked by tsc, erased at run time).
const reportFits: Report extends HtmlReportSummary ? true : never = true;
const buildAccepts = (report: Report): Parameters<typeof buildHtmlReport>[0]['report'] => report;
void reportFits;
void buildAccepts;

const STAND_IN_CHARTS = {
  perClassSvg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>per-class</text></svg>',
};

function page(inputs: Partial<HtmlReportSummary['inputs']> = {}): string {
  return renderHtmlReport({ ...syntheticInput(inputs), charts: STAND_IN_CHARTS, heat: STAND_IN_HEAT });
}

/** The page's image data, parsed back out of its JSON block. */
function pageImages(html: string): Array<{ index: number; label: number; predicted: number; src: string }> {
  const json = /<script type="application\/json" id="report-images">([^]*?)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error('no report-images block in the page');
  return JSON.parse(json);
}

test('the page shows the accuracy, correct/total and misclassified', (t) => {
  const html = page();
  t.regex(html, /<span id="accuracy">71\.43%<\/span>/);
  t.regex(html, /<span id="correct">15<\/span> of <span id="total">21<\/span>/);
  t.regex(html, /<span id="misclassified">6<\/span>/);
  t.true(html.includes('affine 144→8 → sigmoid → affine 8→3 → softmax'));
  t.true(html.includes('1,187 (float32)'));
  t.true(html.includes('1.23 s in the pipeline, 13 ms in the forward pass'));
});

test('the process\'s wall time stands beside the pipeline\'s', (t) => {
  const html = renderHtmlReport({ ...syntheticInput(), processMs: 2345.6, charts: STAND_IN_CHARTS, heat: STAND_IN_HEAT });
  t.true(html.includes('1.23 s in the pipeline (the process: 2.35 s wall time), 13 ms in the forward pass'));
});

test('numbers have thousands separators', (t) => {
  const input = syntheticInput();
  const big = { ...input.report, correct: 1_234_567, total: 1_300_000, misclassified: 65_433, confusion: [[1_000_000, 65_433, 0], [0, 234_567, 0], [0, 0, 0]] };
  const html = renderHtmlReport({ ...input, report: big, charts: STAND_IN_CHARTS, heat: STAND_IN_HEAT });
  t.regex(html, /<span id="correct">1,234,567<\/span> of <span id="total">1,300,000<\/span>/);
  t.regex(html, /<span id="misclassified">65,433<\/span>/);
  t.regex(html, /data-count="1000000"[^>]*>1,000,000<\/button>/);
  t.regex(html, /aria-label="true 0, predicted 1: 65,433 images"/);
});

test('one confusion matrix, shaded with the heatmap\'s two scales: the diagonal to its peak, the errors to theirs, empty cells white', (t) => {
  const html = page();
  t.false(html.includes('id="confusion-chart"'), 'no second matrix as a chart');
  t.is([...html.matchAll(/<table id="confusion-table">/g)].length, 1);
  const styles = [...html.matchAll(/data-label="(\d)" data-predicted="(\d)"[^>]*?(?: style="([^"]*)")?>/g)].map((m) => `${m[1]}${m[2]} ${m[3] ?? ''}`);
  // CONFUSION: diagonal 5, 6, 4 (peak 6); errors 2, 1, 3 (peak 3).
  t.deepEqual(styles, [
    '00 background: green(0.833); color: white', '01 background: orange(0.667); color: white', '02 ',
    '10 background: orange(0.333)', '11 background: green(1.000); color: white', '12 ',
    '20 ', '21 background: orange(1.000); color: white', '22 background: green(0.667); color: white',
  ]);
});

test('with the real colour scales, the cells take vega\'s greens and oranges', async (t) => {
  const html = await buildHtmlReport(syntheticInput());
  const { scheme } = await import('vega');
  t.true(html.includes(`data-count="6" aria-pressed="false" aria-label="true 1, predicted 1: 6 images" title="true 1, predicted 1: 6 images" style="background: ${scheme('greens')(1)}; color: white"`));
  t.true(html.includes(`style="background: ${scheme('oranges')(1 / 3)}">1</button>`));
});

test('class names: in the summary, the matrix\'s headers and labels, and the page\'s data for the script', (t) => {
  const input = syntheticInput();
  const report = { ...input.report, classes: ['Ring', 'Bar <b>', 'Zig "zag"'] };
  const html = renderHtmlReport({ ...input, report, charts: STAND_IN_CHARTS, heat: STAND_IN_HEAT });
  t.true(html.includes('<th scope="row">classes</th><td>0 Ring, 1 Bar &lt;b&gt;, 2 Zig &quot;zag&quot;</td>'));
  t.true(html.includes('<th scope="col" title="1 Bar &lt;b&gt;">Bar &lt;b&gt;</th>'));
  t.true(html.includes('<tr><th scope="row">2 Zig &quot;zag&quot;</th>'));
  t.true(html.includes('aria-label="true Zig &quot;zag&quot;, predicted Bar &lt;b&gt;: 3 images"'));
  const names = /<script type="application\/json" id="report-classes">([^]*?)<\/script>/.exec(html)?.[1];
  t.deepEqual(JSON.parse(names ?? ''), ['Ring', 'Bar <b>', 'Zig "zag"']);
  t.false(html.includes('<b>'));
  t.is(/id="report-classes">([^]*?)<\/script>/.exec(page())?.[1], 'null', 'digits: no names');
});

test('the cells\' images: all of them, and the cap they were kept under, stated when it is reached', (t) => {
  const input = syntheticInput();
  const under = renderHtmlReport({ ...input, cellCap: 2, misclassified: MISCLASSIFIED.filter((m) => m.index !== 20), charts: STAND_IN_CHARTS, heat: STAND_IN_HEAT });
  t.true(under.includes('<div id="cell-images" aria-live="polite" data-cap="2">'));
  t.true(under.includes('Click a cell to see its images (at most 2 images a cell, --html-cap: 5 of the 6 misclassified images).'));
  t.is(pageImages(under).length, 5);
  const all = renderHtmlReport({ ...input, cellCap: 2000, charts: STAND_IN_CHARTS, heat: STAND_IN_HEAT });
  t.true(all.includes('Click a cell to see its images.'), 'every image kept: no note');
  const mosaicOnly = renderHtmlReport({ ...input, misclassified: MISCLASSIFIED.slice(0, 4), charts: STAND_IN_CHARTS, heat: STAND_IN_HEAT });
  t.true(mosaicOnly.includes('(4 of the 6 misclassified images were kept, those of the mosaic)'));
  t.false(mosaicOnly.includes('data-cap="'));
});

test('the confusion table has every count, in a button that knows its cell', (t) => {
  const html = page();
  const buttons = [...html.matchAll(/<button type="button" data-label="(\d+)" data-predicted="(\d+)" data-count="(\d+)"[^>]*>(\d+)<\/button>/g)];
  t.deepEqual(
    buttons.map((m) => [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]),
    CONFUSION.flatMap((row, label) => row.map((count, predicted) => [label, predicted, count, count])),
  );
});

test('the page references nothing on the network, and its CSP forbids it', (t) => {
  const html = page();
  t.notRegex(html, /\b(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?\/\//i);
  t.notRegex(html, /url\(\s*["']?\s*(?:https?:)?\/\//i);
  t.notRegex(html, /@import/i);
  t.regex(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:;/);
  // Every src is a data: URI.
  for (const [, src] of html.matchAll(/\bsrc="([^"]*)"/g)) t.true(src.startsWith('data:image/png;base64,'), src.slice(0, 40));
});

test('file names are escaped: a name like <script>.gz stays text', (t) => {
  const html = page({ images: 'data/<script>.gz', labels: `it's "labels" & more.gz`, weights: '</script><img src=x onerror=alert(1)>.pkl' });
  t.false(html.includes('<script>.gz'));
  t.true(html.includes('data/&lt;script&gt;.gz'));
  t.true(html.includes('it&#39;s &quot;labels&quot; &amp; more.gz'));
  t.false(html.includes('<img src=x'));
  t.is([...html.matchAll(/<script\b/gi)].length, 3, 'only the page\'s own three script elements (images, names, code)');
  t.is([...html.matchAll(/<\/script>/gi)].length, 3);
});

test('the kept images are inlined as PNG data URIs that decode to their pixels', (t) => {
  const images = pageImages(page());
  t.deepEqual(images.map(({ index, label, predicted }) => [index, label, predicted]), MISCLASSIFIED.map(({ index, label, predicted }) => [index, label, predicted]));
  images.forEach((image, i) => {
    const png = PNG.sync.read(Buffer.from(image.src.replace('data:image/png;base64,', ''), 'base64'));
    t.deepEqual([png.width, png.height], [COLS, ROWS]);
    const gray = Uint8Array.from({ length: ROWS * COLS }, (_, p) => png.data[p * 4]);
    t.deepEqual(gray, MISCLASSIFIED[i].pixels);
  });
});

test('the mosaic is inlined byte for byte', (t) => {
  const input = syntheticInput();
  const html = renderHtmlReport({ ...input, charts: STAND_IN_CHARTS, heat: STAND_IN_HEAT });
  t.true(html.includes(`id="mosaic-image" src="data:image/png;base64,${input.mosaicPng.toString('base64')}"`));
});

test('with the real chart: its SVG is inline and its ids do not collide', async (t) => {
  const html = await buildHtmlReport(syntheticInput());
  t.regex(html, /<figure class="chart" id="per-class-chart"><svg /);
  t.false(html.includes('id="confusion-chart"'));
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  t.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'no duplicate ids');
  for (const [, ref] of html.matchAll(/url\(#([^)]+)\)/g)) t.true(ids.includes(ref), `url(#${ref}) points at an element`);
  t.true(html.includes('>71.4%</text>'), 'the per-class chart labels class 0');
});

test('escapeHtml escapes the five special characters and nothing else', (t) => {
  t.is(escapeHtml(`<a href="x">Tom & Jerry's</a> → ü`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; → ü');
});

test('jsonForScript: no </script> or <!-- can end the block, and JSON.parse gives the value back', (t) => {
  const value = { name: '</script><script>alert(1)</script>', note: '<!-- x -->', sep: '\u2028\u2029' };
  const json = jsonForScript(value);
  t.false(json.includes('<'));
  t.false(json.includes('\u2028'));
  t.deepEqual(JSON.parse(json), value);
});

test('scopeSvgIds prefixes ids and their references, and leaves other text alone', (t) => {
  const svg = '<?xml version="1.0"?><svg><defs><linearGradient id="gradient_0"/><clipPath id="clip1"/></defs><rect fill="url(#gradient_0)" clip-path="url(#clip1)"/><use href="#clip1"/><text>id="not-an-attribute"</text></svg>';
  t.is(
    scopeSvgIds(svg, 'c'),
    '<svg><defs><linearGradient id="c-gradient_0"/><clipPath id="c-clip1"/></defs><rect fill="url(#c-gradient_0)" clip-path="url(#c-clip1)"/><use href="#c-clip1"/><text>id="not-an-attribute"</text></svg>',
  );
});

test('encodeDigitPng: a wrong pixel count is an error that says what was expected', (t) => {
  t.throws(() => encodeDigitPng(new Uint8Array(10), 28, 28), { message: 'encodeDigitPng: expected 784 pixels (28×28), got 10' });
});
