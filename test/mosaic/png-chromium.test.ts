import { existsSync } from 'node:fs';
import test from 'ava';
import { chromium } from 'playwright-core';
import { defaultSegments, encodeMosaicPngAsync } from '../../src/mosaic/png-encode.js';
import { noiseMosaic } from './helpers.js';

/**
 * A third decoder for the segmented PNG: Chromium's (libpng's successor in Skia), the one that
 * shows the HTML page's mosaic. Skipped where the browser is missing, except under CI=true, as in
 * test/browser/html-report.test.ts.
 */
const CHROMIUM = process.env.MNIST_EVAL_CHROMIUM || '/usr/bin/chromium';

if (existsSync(CHROMIUM)) {
  test('Chromium decodes a mosaic deflated in two segments to its exact pixels', async (t) => {
    const { mosaic } = noiseMosaic(400, 2);
    t.is(defaultSegments(mosaic.width, mosaic.height), 2, 'a full mosaic is deflated in two segments');
    const png = await encodeMosaicPngAsync(mosaic);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const decoded = await page.evaluate(async (source) => {
      const image = new Image();
      image.src = source;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d', { colorSpace: 'srgb' })!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      // Hashed in the page (7 MB of pixels would be slow to hand back): FNV-1a over the bytes.
      let hash = 0x811c9dc5;
      for (const byte of data) hash = Math.imul(hash ^ byte, 16777619);
      return { width: canvas.width, height: canvas.height, fnv1a: hash >>> 0 };
    }, `data:image/png;base64,${png.toString('base64')}`);
    let hash = 0x811c9dc5;
    for (const byte of mosaic.data) hash = Math.imul(hash ^ byte, 16777619);
    t.deepEqual(decoded, { width: mosaic.width, height: mosaic.height, fnv1a: hash >>> 0 });
  });
} else {
  const missing = `${CHROMIUM} is missing (apt-get install -y chromium, or point MNIST_EVAL_CHROMIUM at a build)`;
  if (process.env.CI === 'true') {
    test(`segmented PNG in Chromium: ${missing}, and CI=true needs this test to run`, (t) => t.fail(`the PNG was not decoded by Chromium: ${missing}`));
  } else {
    test.skip(`segmented PNG in Chromium: skipped, ${missing}`, (t) => t.pass());
  }
}
