import { digitDataUri } from './digit-png.js';
import { escapeHtml, jsonForScript, scopeSvgIds } from './escape-html.js';
import { REPORT_SCRIPT, REPORT_STYLE } from './report-assets.js';
import { confusionPeaks } from '../report/summary.js';
import type { Misclassified, Prediction, Report } from '../types.js';

/**
 * The evaluation as one self-contained HTML page: summary, the two charts, a confusion matrix whose
 * cells open the misclassified images behind them, and the error mosaic. Everything is inline (CSS,
 * script, SVG, images as data: URIs), and a Content-Security-Policy forbids any other source, so
 * the file opens offline and fetches nothing. Pure: strings and buffers in, one string out.
 */

/** The fields of the report that the page shows (`perClass` in its chart). */
export type HtmlReportSummary = Pick<
  Report,
  'accuracy' | 'correct' | 'total' | 'misclassified' | 'confusion' | 'perClass' | 'normalize' | 'batchSize' | 'inputs' | 'model' | 'mosaic' | 'timing'
>;

export interface HtmlReportInput {
  readonly report: HtmlReportSummary;
  readonly mosaicPng: Buffer;
  /** The misclassified images that were kept (the mosaic's tiles). */
  readonly misclassified: readonly Misclassified[];
  /** Image height in pixels. */
  readonly rows: number;
  /** Image width in pixels. */
  readonly cols: number;
  /** SVG text from `renderSvg`, inlined as is (ids scoped per chart). */
  readonly charts: { readonly perClassSvg: string; readonly confusionSvg: string };
  /** Page heading. Default "MNIST evaluation". */
  readonly title?: string;
}

/** The page's only allowed sources: its own inline style and script, and data: images. */
export const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

/** One cell's image as stored in the page's JSON block: the prediction, and its picture as a data: URI. */
interface PageImage extends Prediction {
  readonly src: string;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { report, rows, cols } = input;
  const title = input.title ?? 'MNIST evaluation';
  const accuracy = percent(report.accuracy);
  const images: PageImage[] = input.misclassified.map(({ index, label, predicted, confidence, pixels }) => ({
    index,
    label,
    predicted,
    confidence,
    src: digitDataUri(pixels, rows, cols),
  }));
  const shown = input.misclassified.length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<title>${escapeHtml(`${title}: ${accuracy} on ${baseName(report.inputs.images)}`)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="headline"><span id="accuracy">${accuracy}</span> accuracy: <span id="correct">${report.correct}</span> of <span id="total">${report.total}</span> images correct, <span id="misclassified">${report.misclassified}</span> misclassified</p>
</header>
<main>
<section id="summary">
<h2>Summary</h2>
${summaryTable(report)}
</section>
<section id="charts">
<h2>Charts</h2>
<div class="charts">
<figure class="chart" id="per-class-chart">${scopeSvgIds(input.charts.perClassSvg, 'per-class')}</figure>
<figure class="chart" id="confusion-chart">${scopeSvgIds(input.charts.confusionSvg, 'confusion')}</figure>
</div>
</section>
<section id="confusion">
<h2>Confusion matrix</h2>
<p class="hint">Rows are the true label, columns the prediction. Click a cell to see its images${shown < report.misclassified ? ` (${shown} of the ${report.misclassified} misclassified images were kept)` : ''}.</p>
<div class="matrix">
${confusionTable(report.confusion)}
<div id="cell-images" aria-live="polite"><p class="hint">No cell selected.</p></div>
</div>
</section>
<section id="mosaic">
<h2>Error mosaic</h2>
<img id="mosaic-image" src="data:image/png;base64,${input.mosaicPng.toString('base64')}" alt="${escapeHtml(`mosaic of ${shown} misclassified images`)}">
</section>
</main>
<script type="application/json" id="report-images">${jsonForScript(images)}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

/** The few metadata entries worth a glance: who wrote the file, and which format version. */
function frameworkFacts(metadata: Readonly<Record<string, string>>): string[] {
  return ['producer', 'keras_version', 'opset', 'format_version'].filter((key) => metadata[key] !== undefined).map((key) => `${key} ${metadata[key]}`);
}

function summaryTable(report: HtmlReportSummary): string {
  const { inputs, model, timing } = report;
  const rate = timing.forwardMs > 0 ? `, ${Math.round(report.total / (timing.forwardMs / 1000))} images/s` : '';
  const rows: Array<[string, string]> = [
    ['accuracy', `${percent(report.accuracy)} (${report.correct} / ${report.total})`],
    ['misclassified', `${report.misclassified}, ${report.mosaic.shown} in the mosaic, ${report.mosaic.leftOut} left out`],
    ['model', `${model.layers.join(' → ')}`],
    ['parameters', `${model.parameters.toLocaleString('en-US')} (${model.precision})`],
    ['images', inputs.images],
    ['labels', inputs.labels],
    ['weights', `${inputs.weights} (${[model.weights.format, ...frameworkFacts(model.weights.metadata)].join(', ')})`],
    ['weights SHA-256', inputs.weightsSha256],
    ['batch size', String(report.batchSize)],
    ['input', model.preprocess.join(', then ')],
    ['output', model.output === 'logits' ? 'logits (classes by argmax, confidence by their softmax)' : 'probabilities (the model ends in a softmax)'],
    ['time', `${seconds(timing.totalMs)} in all, ${seconds(timing.forwardMs)} in the forward pass${rate}`],
  ];
  const body = rows.map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n');
  return `<table class="summary">\n${body}\n</table>`;
}

/** The confusion matrix as a table of buttons, shaded like the chart (diagonal green, errors orange). */
function confusionTable(confusion: readonly (readonly number[])[]): string {
  const peaks = confusionPeaks(confusion);
  // At least 1: the shades below divide by them.
  const maxCorrect = Math.max(1, peaks.correct);
  const maxError = Math.max(1, peaks.error);
  const head = confusion.map((_, p) => `<th scope="col">${p}</th>`).join('');
  const body = confusion
    .map((row, t) => {
      const cells = row
        .map((count, p) => {
          const correct = t === p;
          const share = count / (correct ? maxCorrect : maxError);
          const rgb = correct ? '35, 139, 69' : '230, 85, 13';
          const style = count === 0 ? '' : ` style="background: rgba(${rgb}, ${(0.12 + 0.88 * share).toFixed(3)})${share > 0.55 ? '; color: white' : ''}"`;
          const kind = correct ? 'correct' : count === 0 ? 'empty' : 'error';
          const label = `true ${t}, predicted ${p}: ${count} image${count === 1 ? '' : 's'}`;
          return `<td class="${kind}"><button type="button" data-label="${t}" data-predicted="${p}" data-count="${count}" aria-pressed="false" aria-label="${label}" title="${label}"${style}>${count}</button></td>`;
        })
        .join('');
      return `<tr><th scope="row">${t}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<table id="confusion-table">
<thead><tr><th class="corner">true \\ predicted</th>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
