/**
 * `npm run docs:images`: the README's pictures, made by the project's own code from a real run of
 * the book network (sample_weight.pkl) on the MNIST test set in `$MNIST_EVAL_DATA_DIR` (default
 * ../shared/data). Writes into docs/images/ (or the folder given as the first argument):
 *
 *   activations.png  the activation functions chart (as `npm run plot:activations`)
 *   errors.png       the mosaic of the 60 most confident mistakes
 *   per-class.png    per-class accuracy chart
 *   confusion.png    confusion-matrix heatmap
 *   report.png       the HTML report in Chromium (playwright-core), with a confusion cell clicked
 *
 * Chromium: /usr/bin/chromium, or `$MNIST_EVAL_CHROMIUM`. Usage: tsx scripts/readme-images.ts [out-folder]
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lastValueFrom } from 'rxjs';
import { activationsSpec } from '../src/charts/activations-chart.js';
import { renderReportCharts } from '../src/charts/report-charts.js';
import { renderSvg, svgToPng } from '../src/charts/render.js';
import { buildHtmlReport } from '../src/html/build-html-report.js';
import { resolveKernel } from '../src/kernels/forward-kernel.js';
import { loadModel } from '../src/model/load-model.js';
import { writeOutputs } from '../src/outputs/write-outputs.js';
import { renderMosaic } from '../src/mosaic/render-mosaic.js';
import { buildReport, peakRssMb } from '../src/report/build-report.js';
import { encodeMosaicPng } from '../src/mosaic/png-encode.js';
import { readIdxHeaderOf, readSamples$ } from '../src/sources/mnist.js';
import { evaluation$ } from '../pipelines/evaluate.js';

const MOSAIC_CAP = 60;
const BATCH_SIZE = 100;
const CHROMIUM = process.env.MNIST_EVAL_CHROMIUM || '/usr/bin/chromium';
/** The confusion cell clicked for the screenshot: true 4, predicted 9 (falls back to the fullest kept cell). */
const CLICK: readonly [number, number] = [4, 9];

const dataDir = resolve(process.env.MNIST_EVAL_DATA_DIR || '../shared/data');
const images = join(dataDir, 't10k-images-idx3-ubyte.gz');
const labels = join(dataDir, 't10k-labels-idx1-ubyte.gz');
const weightsPath = join(dataDir, 'sample_weight.pkl');

async function screenshotReport(html: string, clickable: (label: number, predicted: number) => boolean): Promise<Buffer> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium, or set MNIST_EVAL_CHROMIUM`);
  const { chromium } = await import('playwright-core');
  const folder = await mkdtemp(join(tmpdir(), 'mnist-eval-readme-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const path = join(folder, 'report.html');
    await writeFile(path, html);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(pathToFileURL(path).href);
    const [label, predicted] = clickable(...CLICK) ? CLICK : pickCell(clickable);
    await page.click(`#confusion-table button[data-label="${label}"][data-predicted="${predicted}"]`);
    await page.locator(`#cell-images[data-label="${label}"][data-predicted="${predicted}"]`).waitFor();
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    return await page.screenshot({ clip: { x: 0, y: 0, width: 1200, height: Math.min(height, 1600) }, fullPage: true });
  } finally {
    await browser.close();
    await rm(folder, { recursive: true, force: true });
  }
}

function pickCell(clickable: (label: number, predicted: number) => boolean): [number, number] {
  for (let label = 0; label < 10; label++) for (let predicted = 0; predicted < 10; predicted++) {
    if (label !== predicted && clickable(label, predicted)) return [label, predicted];
  }
  throw new Error('no misclassified image was kept');
}

async function readmeImages(folder: string): Promise<string[]> {
  const header = await readIdxHeaderOf(images, 'images');
  const [, rows, cols] = header.dims;
  const { network, info: model } = await loadModel({ weights: weightsPath, imageShape: [rows, cols] });
  const started = performance.now();
  const result = await lastValueFrom(
    evaluation$(readSamples$(images, labels, { classes: network.outputSize }), network, {
      batchSize: BATCH_SIZE,
      normalize: true,
      mosaicCap: MOSAIC_CAP,
      mosaicOrder: 'confidence',
    }),
  );
  const totalMs = performance.now() - started;
  const { evaluation, tiles } = result;
  console.log(`evaluated ${evaluation.total} images: ${evaluation.correct} correct, ${result.misclassified} misclassified`);

  const mosaic = renderMosaic(tiles, {
    rows,
    cols,
    header: { total: evaluation.total, misclassified: result.misclassified, shown: tiles.length, title: 'sample_weight.pkl, most confident mistakes first' },
  });
  const mosaicPng = encodeMosaicPng(mosaic);
  const report = buildReport({
    evaluation,
    misclassified: result.misclassified,
    errors: () => result.errors.entries(),
    normalize: true,
    batchSize: BATCH_SIZE,
    // The pictures show file names, not this machine's folders.
    inputs: { images: basename(images), labels: basename(labels), weights: basename(weightsPath), weightsSha256: model.weights.sha256 },
    model,
    mosaic: { path: join(folder, 'errors.png'), shown: tiles.length },
    predictions: null,
    totalMs,
    // As evaluation$ runs it when no workers are asked for: on this thread, with the default kernel.
    forward: { kernel: resolveKernel(network), workers: 0, threads: 1, alsoMainThread: false },
    resources: { peakRssMb: peakRssMb() },
    range: { start: 0, end: evaluation.total, size: header.count },
  });
  const charts = await renderReportCharts(report);
  const html = await buildHtmlReport({ report, mosaicPng, misclassified: tiles, rows, cols, title: 'mnist-eval: sample_weight.pkl on the MNIST test set' });
  const screenshot = await screenshotReport(html, (label, predicted) => tiles.some((t) => t.label === label && t.predicted === predicted));

  return writeOutputs([
    [join(folder, 'activations.png'), svgToPng(await renderSvg(activationsSpec()))],
    [join(folder, 'errors.png'), mosaicPng],
    [join(folder, 'per-class.png'), svgToPng(charts.perClassSvg)],
    [join(folder, 'confusion.png'), svgToPng(charts.confusionSvg)],
    [join(folder, 'report.png'), screenshot],
  ]);
}

const started = performance.now();
const written = await readmeImages(process.argv[2] ?? 'docs/images');
for (const path of written) console.log(`wrote ${path}`);
console.log(`in ${Math.round(performance.now() - started)} ms`);
