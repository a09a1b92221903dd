import { digitDataUri } from './digit-png.js';
import { escapeHtml, jsonForScript, scopeSvgIds } from './escape-html.js';
import { REPORT_SCRIPT, REPORT_STYLE } from './report-assets.js';
import { confusionPeaks } from '../report/summary.js';
import type { Misclassified, Prediction, Report } from '../types.js';

/**
 * The evaluation as one self-contained HTML page: summary, the per-class chart, the confusion
 * matrix (one, clickable, shaded with the heatmap chart's colour scales) whose cells open the
 * misclassified images behind them, and the error mosaic. Everything is inline (CSS,
 * script, SVG, images as data: URIs), and a Content-Security-Policy forbids any other source, so
 * the file opens offline and fetches nothing. Pure: strings and buffers in, one string out.
 */

/** The fields of the report that the page shows (`perClass` in its chart). */
export type HtmlReportSummary = Pick<
  Report,
  'accuracy' | 'correct' | 'total' | 'misclassified' | 'confusion' | 'perClass' | 'normalize' | 'batchSize' | 'inputs' | 'model' | 'mosaic' | 'timing' | 'classes'
>;

/** A colour scale: a share of its peak, 0..1, to a CSS colour (vega's `scheme('greens')`). */
export type HeatScale = (share: number) => string;

export interface HtmlReportInput {
  readonly report: HtmlReportSummary;
  readonly mosaicPng: Buffer;
  /** The misclassified images the matrix's cells show: of each cell the first `cellCap`, or the mosaic's tiles. */
  readonly misclassified: readonly Misclassified[];
  /** The cap each cell's images were kept under (--html-cap); undefined: they are the mosaic's tiles. */
  readonly cellCap?: number;
  /** The process's wall time up to the page, in ms, shown beside the pipeline's `timing.totalMs`. */
  readonly processMs?: number;
  /** The heatmap chart's scales: the diagonal's and the errors'. */
  readonly heat: { readonly correct: HeatScale; readonly error: HeatScale };
  /** Image height in pixels. */
  readonly rows: number;
  /** Image width in pixels. */
  readonly cols: number;
  /** SVG text from `renderSvg`, inlined as is (ids scoped). */
  readonly charts: { readonly perClassSvg: string };
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
  const shown = report.mosaic.shown;
  const kept = input.misclassified.length;
  const keptNote = kept >= report.misclassified ? '' : input.cellCap === undefined
    ? ` (${count(kept)} of the ${count(report.misclassified)} misclassified images were kept, those of the mosaic)`
    : ` (at most ${count(input.cellCap)} images a cell, --html-cap: ${count(kept)} of the ${count(report.misclassified)} misclassified images)`;
  const names = report.classes;
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
<p class="headline"><span id="accuracy">${accuracy}</span> accuracy: <span id="correct">${count(report.correct)}</span> of <span id="total">${count(report.total)}</span> images correct, <span id="misclassified">${count(report.misclassified)}</span> misclassified</p>
</header>
<main>
<section id="summary">
<h2>Summary</h2>
${summaryTable(report, input.processMs)}
</section>
<section id="charts">
<h2>Charts</h2>
<div class="charts">
<figure class="chart" id="per-class-chart">${scopeSvgIds(input.charts.perClassSvg, 'per-class')}</figure>
</div>
</section>
<section id="confusion">
<h2>Confusion matrix</h2>
<p class="hint">Rows are the true class, columns the prediction; the diagonal is shaded on its own scale (green), the errors on theirs (orange). Click a cell to see its images${keptNote}.</p>
<div class="matrix">
${confusionTable(report.confusion, input.heat, names)}
<div id="cell-images" aria-live="polite"${input.cellCap === undefined ? '' : ` data-cap="${input.cellCap}"`}><p class="hint">No cell selected.</p></div>
</div>
</section>
<section id="mosaic">
<h2>Error mosaic</h2>
<img id="mosaic-image" src="data:image/png;base64,${input.mosaicPng.toString('base64')}" alt="${escapeHtml(`mosaic of ${count(shown)} misclassified images`)}">
</section>
</main>
<script type="application/json" id="report-images">${jsonForScript(images)}</script>
<script type="application/json" id="report-classes">${jsonForScript(names ?? null)}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

/** The few metadata entries worth a glance: who wrote the file, and which format version. */
function frameworkFacts(metadata: Readonly<Record<string, string>>): string[] {
  return ['producer', 'keras_version', 'opset', 'format_version'].filter((key) => metadata[key] !== undefined).map((key) => `${key} ${metadata[key]}`);
}

function summaryTable(report: HtmlReportSummary, processMs: number | undefined): string {
  const { inputs, model, timing } = report;
  const rate = timing.forwardMs > 0 ? `, ${count(Math.round(report.total / (timing.forwardMs / 1000)))} images/s` : '';
  const process = processMs === undefined ? '' : ` (the process: ${seconds(processMs)} wall time)`;
  const rows: Array<[string, string]> = [
    ['accuracy', `${percent(report.accuracy)} (${count(report.correct)} / ${count(report.total)})`],
    ['misclassified', `${count(report.misclassified)}, ${count(report.mosaic.shown)} in the mosaic, ${count(report.mosaic.leftOut)} left out`],
    ...(report.classes === undefined ? [] : [['classes', report.classes.map((name, i) => `${i} ${name}`).join(', ')] as [string, string]]),
    ['model', `${model.layers.join(' → ')}`],
    ['parameters', `${model.parameters.toLocaleString('en-US')} (${model.precision})`],
    ['images', inputs.images],
    ['labels', inputs.labels],
    ['weights', `${inputs.weights} (${[model.weights.format, ...frameworkFacts(model.weights.metadata)].join(', ')})`],
    ['weights SHA-256', inputs.weightsSha256],
    ['batch size', count(report.batchSize)],
    ['input', model.preprocess.join(', then ')],
    ['output', model.output === 'logits' ? 'logits (classes by argmax, confidence by their softmax)' : 'probabilities (the model ends in a softmax)'],
    ['time', `${seconds(timing.totalMs)} in the pipeline${process}, ${seconds(timing.forwardMs)} in the forward pass${rate}`],
  ];
  const body = rows.map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n');
  return `<table class="summary">\n${body}\n</table>`;
}

/**
 * The confusion matrix as a table of buttons, shaded as the heatmap chart is: the diagonal on the
 * `heat.correct` scale and the errors on `heat.error`, each up to its own peak; empty error cells
 * stay white, and a count is written in white where the chart writes it so (at 55% of the peak).
 */
function confusionTable(confusion: readonly (readonly number[])[], heat: HtmlReportInput['heat'], names?: readonly string[]): string {
  const peaks = confusionPeaks(confusion);
  // At least 1: the shades below divide by them.
  const maxCorrect = Math.max(1, peaks.correct);
  const maxError = Math.max(1, peaks.error);
  const name = (c: number): string => (names === undefined ? String(c) : names[c]);
  const head = confusion.map((_, p) => `<th scope="col"${names === undefined ? '' : ` title="${escapeHtml(`${p} ${name(p)}`)}"`}>${escapeHtml(name(p))}</th>`).join('');
  const body = confusion
    .map((row, t) => {
      const cells = row
        .map((n, p) => {
          const correct = t === p;
          const share = n / (correct ? maxCorrect : maxError);
          const shaded = correct || n > 0;
          const style = shaded ? ` style="background: ${(correct ? heat.correct : heat.error)(share)}${share >= 0.55 && n > 0 ? '; color: white' : ''}"` : '';
          const kind = correct ? 'correct' : n === 0 ? 'empty' : 'error';
          const label = escapeHtml(`true ${name(t)}, predicted ${name(p)}: ${count(n)} image${n === 1 ? '' : 's'}`);
          return `<td class="${kind}"><button type="button" data-label="${t}" data-predicted="${p}" data-count="${n}" aria-pressed="false" aria-label="${label}" title="${label}"${style}>${count(n)}</button></td>`;
        })
        .join('');
      return `<tr><th scope="row">${escapeHtml(names === undefined ? String(t) : `${t} ${name(t)}`)}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<table id="confusion-table">
<thead><tr><th class="corner">true \\ predicted</th>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

/** A whole number with thousands separators: 10,000. */
function count(n: number): string {
  return n.toLocaleString('en-US');
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
