import type { ReportFacts } from '../../src/report/build-report.js';
import type { Prediction } from '../../src/types.js';

/** Two classes, 5 images: 3 correct, 2 misclassified (one 0→1, one 1→0), one of them kept in the mosaic. */
export const ERRORS: Prediction[] = [
  { index: 1, label: 0, predicted: 1, confidence: 0.75 },
  { index: 4, label: 1, predicted: 0, confidence: 0.5 },
];

export function facts(overrides: Partial<ReportFacts> = {}): ReportFacts {
  return {
    evaluation: { total: 5, correct: 3, confusion: [[2, 1], [1, 1]], forwardMs: 2.5 },
    misclassified: 2,
    errors: ERRORS,
    normalize: true,
    batchSize: 100,
    inputs: { images: 'img.gz', labels: 'lab.gz', weights: 'w.pkl', weightsSha256: 'ab' },
    model: {
      name: 'tiny', source: 'inferred', layers: ['affine 4→2', 'softmax'], parameters: 10, precision: 'float32', inputShape: [2, 2],
      output: 'probabilities', preprocess: ['x / 255'],
      weights: { path: 'w.pkl', sha256: 'ab', format: 'pickle', metadata: {} },
    },
    mosaic: { path: 'out/errors.png', shown: 1 },
    predictions: null,
    totalMs: 12.5,
    forward: { kernel: 'js-f64', workers: 0, threads: 1, alsoMainThread: false },
    resources: { peakRssMb: 40 },
    range: { start: 0, end: 5, size: 5 },
    ...overrides,
  };
}
