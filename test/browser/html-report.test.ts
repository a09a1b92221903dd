import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildHtmlReport } from '../../src/html/build-html-report.js';
import { CONFUSION, MISCLASSIFIED, syntheticInput } from '../html/synthetic-report.js';

/**
 * The HTML report in a real browser (Debian's Chromium, driven by playwright-core): the numbers it
 * shows, the one confusion matrix in the heatmap's colours, a click on a confusion cell that brings
 * up every image of that cell (not only the mosaic's, up to --html-cap, said when reached), class
 * names, and no request that leaves the file. A screenshot goes to out/html-report.png for a person to look at.
 */

const CHROMIUM = process.env.MNIST_EVAL_CHROMIUM || '/usr/bin/chromium'; // override only to try another build
const SCREENSHOT = resolve('out/html-report.png');

if (existsSync(CHROMIUM)) {
  registerBrowserTests();
} else {
  // Skipped on a machine without the browser, and said so in the title; under CI=true a missing
  // browser is a failure, since a skip there would pass a suite that never checked the page.
  const missing = `${CHROMIUM} is missing (apt-get install -y chromium, or point MNIST_EVAL_CHROMIUM at a build)`;
  if (process.env.CI === 'true') {
    test(`html report in Chromium: ${missing}, and CI=true needs this test to run`, (t) => {
      t.fail(`the HTML report was not checked in a browser: ${missing}`);
    });
  } else {
    test.skip(`html report in Chromium: skipped, ${missing}`, (t) => t.pass());
  }
}

function registerBrowserTests(): void {
  let browser: Browser;
  let folder: string;
  let url: string;
  /** A page of the same run with class names, whose mosaic kept 2 tiles while each cell kept up to `cellCap`. */
  const namedUrls = new Map<number, string>();

  test.before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'mnist-eval-html-'));
    const path = join(folder, 'report <&> "quoted".html'); // a file name that needs URL escaping
    await writeFile(path, await buildHtmlReport(syntheticInput({ images: 'data/<script>.gz' })));
    url = pathToFileURL(path).href;
    for (const cellCap of [2, 2000]) {
      const input = syntheticInput();
      const report = { ...input.report, classes: ['Ring', 'Bar', 'Zigzag'], mosaic: { ...input.report.mosaic, shown: 2, leftOut: 4 } };
      const named = join(folder, `named-${cellCap}.html`);
      await writeFile(named, await buildHtmlReport({ ...input, report, cellCap, misclassified: cellCap === 2 ? MISCLASSIFIED.filter((m) => m.index !== 20) : MISCLASSIFIED }));
      namedUrls.set(cellCap, pathToFileURL(named).href);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  test.after.always(async () => {
    await browser?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** Opens the report in a new page, recording requests and script errors. */
  async function open(at = url): Promise<{ page: Page; requests: string[]; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(at);
    return { page, requests, errors };
  }

  /** The images panel after a click on cell (label, predicted). */
  async function clickCell(page: Page, label: number, predicted: number): Promise<{ images: number; text: string; loaded: number }> {
    await page.click(`#confusion-table button[data-label="${label}"][data-predicted="${predicted}"]`);
    const panel = page.locator(`#cell-images[data-label="${label}"][data-predicted="${predicted}"]`);
    await panel.waitFor();
    const images = await panel.locator('img').count();
    // Decoded, not broken: every image has its natural 12×12 size.
    const loaded = await panel.locator('img').evaluateAll((nodes) =>
      nodes.filter((node) => (node as HTMLImageElement).complete && (node as HTMLImageElement).naturalWidth === 12).length,
    );
    return { images, text: (await panel.innerText()).replace(/\s+/g, ' ').trim(), loaded };
  }

  test.serial('shows the summary numbers and the confusion counts', async (t) => {
    const { page, errors } = await open();
    t.is(await page.locator('#accuracy').innerText(), '71.43%');
    t.is(await page.locator('#correct').innerText(), '15');
    t.is(await page.locator('#total').innerText(), '21');
    t.is(await page.locator('#misclassified').innerText(), '6');
    t.true((await page.locator('#summary').innerText()).includes('data/<script>.gz'), 'the file name shows as text');
    const counts = await page.locator('#confusion-table tbody button').allInnerTexts();
    t.deepEqual(counts.map(Number), CONFUSION.flat());
    t.is(await page.locator('#per-class-chart svg').count(), 1);
    t.is(await page.locator('#confusion-chart').count(), 0, 'one confusion matrix: no heatmap chart beside the table');
    t.is(await page.locator('table#confusion-table').count(), 1);
    const mosaicWidth = await page.locator('#mosaic-image').evaluate((node) => (node as HTMLImageElement).naturalWidth);
    t.true(mosaicWidth > 0, 'the mosaic decodes');
    t.deepEqual(errors, []);
    await page.close();
  });

  test.serial('a click on an off-diagonal cell shows its images; the diagonal and empty cells show none', async (t) => {
    const { page, requests, errors } = await open();
    const expected = (label: number, predicted: number): number => MISCLASSIFIED.filter((m) => m.label === label && m.predicted === predicted).length;

    const twoToOne = await clickCell(page, 2, 1);
    t.is(twoToOne.images, 3);
    t.is(twoToOne.images, expected(2, 1));
    t.is(twoToOne.loaded, 3, 'all three decode');
    t.true(twoToOne.text.includes('true 2, predicted 1'));
    t.true(twoToOne.text.includes('#14 0.90'), twoToOne.text);
    t.is(await page.locator('#confusion-table button[aria-pressed="true"]').count(), 1);
    await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(async () => {
      await mkdir('out', { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    });
    t.log(`screenshot: ${SCREENSHOT}`);

    const zeroToOne = await clickCell(page, 0, 1);
    t.deepEqual([zeroToOne.images, zeroToOne.loaded], [2, 2]);
    t.is((await clickCell(page, 1, 0)).images, 1);

    const diagonal = await clickCell(page, 1, 1);
    t.is(diagonal.images, 0);
    t.true(diagonal.text.includes('correct: 6 images'), diagonal.text);

    const empty = await clickCell(page, 0, 2);
    t.is(empty.images, 0);
    t.true(empty.text.includes('0 misclassified images'), empty.text);
    t.is(await page.locator('#confusion-table button[aria-pressed="true"]').count(), 1, 'one cell selected at a time');

    const offline = requests.filter((request) => !request.startsWith('file:') && !request.startsWith('data:'));
    t.deepEqual(offline, [], 'no request leaves the file');
    t.deepEqual(errors, []);
    await page.close();
  });

  test.serial('the one matrix takes the heatmap\'s colours: the diagonal in greens, the errors in oranges, each to its peak, empty cells white', async (t) => {
    const { page, errors } = await open();
    const { scheme } = await import('vega');
    const background = (label: number, predicted: number) =>
      page.locator(`#confusion-table button[data-label="${label}"][data-predicted="${predicted}"]`).evaluate((node) => getComputedStyle(node).backgroundColor);
    t.is(await background(1, 1), scheme('greens')(1), 'the diagonal\'s peak (6)');
    t.is(await background(0, 0), scheme('greens')(5 / 6));
    t.is(await background(2, 1), scheme('oranges')(1), 'the errors\' peak (3)');
    t.is(await background(1, 0), scheme('oranges')(1 / 3));
    t.is(await background(0, 2), 'rgba(0, 0, 0, 0)', 'an empty cell is not shaded');
    const color = await page.locator('#confusion-table button[data-label="2"][data-predicted="1"]').evaluate((node) => getComputedStyle(node).color);
    t.is(color, 'rgb(255, 255, 255)', 'white on a dark cell, as in the chart');
    t.deepEqual(errors, []);
    await page.close();
  });

  test.serial('a cell shows all its images, not only the mosaic\'s, with the class names; the cap is said when a cell reaches it', async (t) => {
    const all = await open(namedUrls.get(2000));
    t.true((await all.page.locator('#confusion .hint').first().innerText()).startsWith('Rows are the true class'));
    t.deepEqual(await all.page.locator('#confusion-table thead th[scope="col"]').allInnerTexts(), ['Ring', 'Bar', 'Zigzag']);
    t.deepEqual(await all.page.locator('#confusion-table tbody th').allInnerTexts(), ['0 Ring', '1 Bar', '2 Zigzag']);
    const zigzagAsBar = await clickCell(all.page, 2, 1);
    t.deepEqual([zigzagAsBar.images, zigzagAsBar.loaded], [3, 3], 'all three, though the mosaic kept only 2 tiles');
    t.true(zigzagAsBar.text.startsWith('true Zigzag, predicted Bar 3 misclassified images #14 0.90'), zigzagAsBar.text);
    const alt = await all.page.locator('#cell-images img').first().getAttribute('alt');
    t.is(alt, 'image 14: true Zigzag, predicted Bar');
    t.deepEqual(all.errors, []);
    await all.page.close();

    const capped = await open(namedUrls.get(2));
    const first2 = await clickCell(capped.page, 2, 1);
    t.deepEqual([first2.images, first2.loaded], [2, 2]);
    t.true(first2.text.includes('3 misclassified images, showing the first 2 (--html-cap 2)'), first2.text);
    const ringAsBar = await clickCell(capped.page, 0, 1);
    t.is(ringAsBar.images, 2);
    t.false(ringAsBar.text.includes('--html-cap'), 'a cell under the cap says nothing of it');
    t.deepEqual(capped.errors, []);
    await capped.page.close();
  });
}
