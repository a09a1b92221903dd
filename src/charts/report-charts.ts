import { confusionSpec } from './confusion-chart.js';
import { perClassSpec } from './per-class-chart.js';
import { renderSvg } from './render.js';
import type { Report } from '../types.js';

export interface ReportCharts {
  perClassSvg: string;
  confusionSvg: string;
}

/** The report's two charts as SVG text: accuracy per class against the overall one, and the confusion matrix. */
export async function renderReportCharts(report: Pick<Report, 'accuracy' | 'confusion' | 'perClass' | 'classes'>): Promise<ReportCharts> {
  const perClassSvg = await renderSvg(perClassSpec(report.perClass, { overall: report.accuracy, classes: report.classes }));
  const confusionSvg = await renderSvg(confusionSpec(report.confusion, { classes: report.classes }));
  return { perClassSvg, confusionSvg };
}
