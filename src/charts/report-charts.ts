import { perClass } from '../report/summary.js';
import { confusionSpec } from './confusion-chart.js';
import { perClassSpec, type ClassAccuracy } from './per-class-chart.js';
import { renderSvg } from './render.js';

export interface ReportCharts {
  perClassSvg: string;
  confusionSvg: string;
}

/** The report's two charts as SVG text. `perClass` defaults to the scores worked out from `confusion`. */
export async function renderReportCharts(report: {
  readonly accuracy: number;
  readonly confusion: readonly (readonly number[])[];
  readonly perClass?: readonly ClassAccuracy[];
}): Promise<ReportCharts> {
  const scores = report.perClass ?? perClass(report.confusion);
  const perClassSvg = await renderSvg(perClassSpec(scores, { overall: report.accuracy }));
  const confusionSvg = await renderSvg(confusionSpec(report.confusion));
  return { perClassSvg, confusionSvg };
}
