import { perClassSpec } from '../charts/per-class-chart.js';
import { renderSvg } from '../charts/render.js';
import { renderHtmlReport, type HtmlReportInput } from './report-html.js';

/**
 * Renders the per-class chart (vega is imported here, on first use) and then the page, its
 * confusion matrix shaded with the heatmap chart's own colour schemes: what the CLI calls for
 * `--html`. The result is one string to write with `OutputSet.stage` beside the other outputs.
 */
export async function buildHtmlReport(input: Omit<HtmlReportInput, 'charts' | 'heat'>): Promise<string> {
  const { report } = input;
  const perClassSvg = await renderSvg(perClassSpec(report.perClass, { overall: report.accuracy, classes: report.classes }));
  const { scheme } = await import('vega');
  return renderHtmlReport({ ...input, charts: { perClassSvg }, heat: { correct: scheme('greens'), error: scheme('oranges') } });
}
