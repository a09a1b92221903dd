import test from 'ava';
import { buildReport } from '../../src/report/build-report.js';
import { ErrorList } from '../../src/report/error-list.js';
import { formatJson } from '../../src/report/json.js';
import { formatReportJson } from '../../src/report/report-json.js';
import { ERRORS, facts } from './facts.js';

/** The report file of `facts()` up to its error list (the same in every case below). */
const HEAD = `{
  "accuracy": 0.6,
  "correct": 3,
  "total": 5,
  "misclassified": 2,
  "confusion": [
    [2, 1],
    [1, 1]
  ],
  "perClass": [
    {
      "label": 0,
      "total": 3,
      "correct": 2,
      "accuracy": 0.6666666666666666
    },
    {
      "label": 1,
      "total": 2,
      "correct": 1,
      "accuracy": 0.5
    }
  ],
  "normalize": true,
  "batchSize": 100,
  "inputs": {
    "images": "img.gz",
    "labels": "lab.gz",
    "weights": "w.pkl",
    "weightsSha256": "ab"
  },
  "model": {
    "name": "tiny",
    "source": "inferred",
    "layers": [
      "affine 4→2",
      "softmax"
    ],
    "parameters": 10,
    "precision": "float32",
    "inputShape": [2, 2],
    "output": "probabilities",
    "preprocess": [
      "x / 255"
    ],
    "weights": {
      "path": "w.pkl",
      "sha256": "ab",
      "format": "pickle",
      "metadata": {}
    }
  },
  "mosaic": {
    "path": "out/errors.png",
    "sidecar": "out/errors.tiles.json",
    "shown": 1,
    "leftOut": 1
  },
  "predictions": null,
  "timing": {
    "totalMs": 12.5,
    "forwardMs": 2.5
  },
  "forward": {
    "kernel": "js-f64",
    "workers": 0,
    "threads": 1,
    "alsoMainThread": false
  },
  "resources": {
    "peakRssMb": 40
  },
  "range": {
    "start": 0,
    "end": 5,
    "size": 5
  },
`;

const ERROR_LINES = `  "errors": [
    {"index": 1, "label": 0, "predicted": 1, "confidence": 0.75},
    {"index": 4, "label": 1, "predicted": 0, "confidence": 0.5}
  ]`;

test('a report with errors: formatJson\'s layout, one error a line', (t) => {
  t.is(formatReportJson(buildReport(facts())).toString(), `${HEAD}${ERROR_LINES}\n}\n`);
});

test('a report with no errors writes an empty list', (t) => {
  const report = buildReport(facts({ errors: [] }));
  t.is(formatReportJson(report).toString(), `${HEAD}  "errors": []\n}\n`);
});

test('an ErrorList gives the same bytes as the list of its entries, and the report\'s errors are not read', (t) => {
  const list = new ErrorList();
  for (const { index, label, predicted, confidence } of ERRORS) list.add(index, label, predicted, confidence);
  const report = buildReport(facts({ errors: () => t.fail('errors read') as never }));
  t.is(formatReportJson(report, list).toString(), `${HEAD}${ERROR_LINES}\n}\n`);
});

test('a shard\'s tiles are written one a line, inside its part', (t) => {
  const tile = { ...ERRORS[0], pixels: 'AAEC' };
  const shard = { index: 1, count: 2, start: 2, end: 5, rows: 2, cols: 2, mosaicCap: 10, mosaicOrder: 'index' as const, mosaicScale: undefined, tiles: [tile, tile] };
  const text = formatReportJson(buildReport(facts({ shard }))).toString();
  t.is(text, `${HEAD}${ERROR_LINES},
  "shard": {
    "index": 1,
    "count": 2,
    "start": 2,
    "end": 5,
    "rows": 2,
    "cols": 2,
    "mosaicCap": 10,
    "mosaicOrder": "index",
    "tiles": [
      {"index": 1, "label": 0, "predicted": 1, "confidence": 0.75, "pixels": "AAEC"},
      {"index": 1, "label": 0, "predicted": 1, "confidence": 0.75, "pixels": "AAEC"}
    ]
  }
}
`);
  const empty = formatReportJson(buildReport(facts({ shard: { ...shard, tiles: [] } }))).toString();
  t.true(empty.endsWith(`    "mosaicOrder": "index",\n    "tiles": []\n  }\n}\n`));
});

test('apart from the one-a-line lists, the file is formatJson of the report', (t) => {
  const report = buildReport(facts({ errors: [] }));
  t.is(formatReportJson(report).toString(), formatJson(report));
  t.deepEqual(JSON.parse(formatReportJson(buildReport(facts())).toString()), JSON.parse(JSON.stringify(buildReport(facts()))));
});

test('a confidence that is not finite is null, as JSON writes it', (t) => {
  const text = formatReportJson({ errors: [{ index: 0, label: 1, predicted: 2, confidence: NaN }] }).toString();
  t.is(text, '{\n  "errors": [\n    {"index": 0, "label": 1, "predicted": 2, "confidence": null}\n  ]\n}\n');
});

test('fields JSON leaves out are left out, and text is UTF-8', (t) => {
  const text = formatReportJson({ errors: [], note: undefined, path: 'données/ü.gz' } as never);
  t.is(text.toString('utf8'), '{\n  "errors": [],\n  "path": "données/ü.gz"\n}\n');
  t.is(formatReportJson({} as never).toString(), '{}\n');
});

test('formatJson: arrays of numbers on one line, anything else two-space indented', (t) => {
  t.is(formatJson({ a: [1, -2.5, 1e-7], b: [[1], []], c: ['x', 1] }), '{\n  "a": [1, -2.5, 1e-7],\n  "b": [\n    [1],\n    []\n  ],\n  "c": [\n    "x",\n    1\n  ]\n}\n');
  t.throws(() => formatJson(undefined), { instanceOf: TypeError });
});
