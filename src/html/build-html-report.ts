import { renderReportCharts } from '../charts/report-charts.js';
import { renderHtmlReport, type HtmlReportInput } from './report-html.js';

/**
 * Renders the charts (vega is imported here, on first use) and then the page: what the CLI calls
 * for `--html`. The result is one string to write with `OutputSet.stage` beside the other outputs.
 */
export async function buildHtmlReport(input: Omit<HtmlReportInput, 'charts'>): Promise<string> {
  const charts = await renderReportCharts(input.report);
  return renderHtmlReport({ ...input, charts });
}
