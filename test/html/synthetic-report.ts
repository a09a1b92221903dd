import { renderMosaic } from '../../src/mosaic/render-mosaic.js';
import { encodeMosaicPng } from '../../src/mosaic/png-encode.js';
import type { HtmlReportInput, HtmlReportSummary } from '../../src/html/report-html.js';
import { buildReport } from '../../src/report/build-report.js';
import { facts } from '../report/facts.js';
import type { Misclassified, Report } from '../../src/types.js';

/**
 * A made-up evaluation of 3 classes on 12×12 images: 21 images, 15 correct, 6 misclassified
 * (0→1 twice, 1→0 once, 2→1 three times), all 6 kept. Shared by the HTML and browser tests.
 */

export const ROWS = 12;
export const COLS = 12;

export const CONFUSION = [
  [5, 2, 0],
  [1, 6, 0],
  [0, 3, 4],
];

/** A digit-like 12×12 picture of class `label`, shifted by `variant` so the images differ. */
export function drawDigit(label: number, variant: number): Uint8Array {
  const pixels = new Uint8Array(ROWS * COLS);
  const set = (r: number, c: number): void => {
    if (r >= 0 && r < ROWS && c >= 0 && c < COLS) pixels[r * COLS + c] = 255;
  };
  const shift = variant % 3;
  for (let i = 2; i < 10; i++) {
    if (label === 0) {
      set(2 + shift, i); set(9, i); set(i, 2); set(i, 9 - shift); // a box
    } else if (label === 1) {
      set(i, 5 + shift); set(i, 6 + shift); // a bar
    } else {
      set(2, i); set(6 + shift, i); set(10, i); set(2 + Math.floor((i - 2) / 2), 9); // a 2-ish zigzag
    }
  }
  return pixels;
}

export const MISCLASSIFIED: Misclassified[] = [
  { index: 3, label: 0, predicted: 1, confidence: 0.61, pixels: drawDigit(0, 0) },
  { index: 8, label: 0, predicted: 1, confidence: 0.55, pixels: drawDigit(0, 1) },
  { index: 11, label: 1, predicted: 0, confidence: 0.72, pixels: drawDigit(1, 0) },
  { index: 14, label: 2, predicted: 1, confidence: 0.9, pixels: drawDigit(2, 0) },
  { index: 17, label: 2, predicted: 1, confidence: 0.83, pixels: drawDigit(2, 1) },
  { index: 20, label: 2, predicted: 1, confidence: 0.48, pixels: drawDigit(2, 2) },
];

export function syntheticReport(inputs: Partial<HtmlReportSummary['inputs']> = {}): Report {
  const base = facts();
  return buildReport(facts({
    evaluation: { total: 21, correct: 15, confusion: CONFUSION.map((row) => [...row]), forwardMs: 12.5 },
    misclassified: 6,
    errors: MISCLASSIFIED.map(({ index, label, predicted, confidence }) => ({ index, label, predicted, confidence })),
    inputs: { images: 'data/tiny-images-idx3-ubyte.gz', labels: 'data/tiny-labels-idx1-ubyte.gz', weights: 'data/tiny.pkl', weightsSha256: 'ab'.repeat(32), ...inputs },
    model: { ...base.model, layers: ['affine 144→8', 'sigmoid', 'affine 8→3', 'softmax'], parameters: 1187, inputShape: [ROWS, COLS] },
    mosaic: { path: 'out/errors.png', shown: 6 },
    totalMs: 1234.5,
    range: { start: 0, end: 21, size: 21 },
  }));
}

export function syntheticMosaicPng(): Buffer {
  const mosaic = renderMosaic(MISCLASSIFIED, { rows: ROWS, cols: COLS, scale: 3, header: { total: 21, misclassified: 6, shown: 6 } });
  return encodeMosaicPng(mosaic);
}

/** The input to `renderHtmlReport`, without the charts and colour scales (buildHtmlReport's, or stand-ins). */
export function syntheticInput(inputs: Partial<HtmlReportSummary['inputs']> = {}): Omit<HtmlReportInput, 'charts' | 'heat'> {
  return { report: syntheticReport(inputs), mosaicPng: syntheticMosaicPng(), misclassified: MISCLASSIFIED, rows: ROWS, cols: COLS };
}

/** Stand-in colour scales that show the share they were given: `green(0.500)`. */
export const STAND_IN_HEAT = { correct: (share: number) => `green(${share.toFixed(3)})`, error: (share: number) => `orange(${share.toFixed(3)})` };
