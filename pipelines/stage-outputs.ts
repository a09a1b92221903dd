/**
 * The files a run and a merge write, in one place, so that a merge of shards writes what a single
 * run writes: the outputs' paths with what each one is (for `OutputSet.checkWritable`, whose
 * collision message names both outputs), and the staging of the mosaic with its tile index, the
 * charts, the HTML page and the report. The predictions CSV is streamed by each pipeline itself.
 */
import { join } from 'node:path';
import type { NamedPath } from '../src/outputs/output-places.js';
import { zipEntryPath } from '../src/sources/format-of.js';
import type { OutputSet, OutputTarget } from '../src/outputs/output-set.js';
import type { Mosaic } from '../src/mosaic/render-mosaic.js';
import { encodeMosaicPngAsync } from '../src/mosaic/png-encode.js';
import { mosaicSidecar } from '../src/mosaic/sidecar.js';
import { sidecarPath } from '../src/report/build-report.js';
import { formatJson } from '../src/report/json.js';
import type { Misclassified, Report } from '../src/types.js';

/** Where the outputs go; the optional ones are written only when given. */
export interface OutputPaths {
  readonly report: string;
  /** The mosaic PNG; its tile index goes beside it (`sidecarPath`). */
  readonly mosaic?: string;
  readonly predictions?: string;
  readonly html?: string;
  /** A folder for the chart SVGs and PNGs. */
  readonly charts?: string;
}

const CHARTS = ['per-class', 'confusion'] as const;

/** The chart files in `dir`: `per-class.svg`, `per-class.png`, `confusion.svg`, `confusion.png`. */
export const chartPaths = (dir: string): string[] => CHARTS.flatMap((name) => [join(dir, `${name}.svg`), join(dir, `${name}.png`)]);

/** Every output's path, labelled with the option that names it, in the order they are listed to the user. */
export function outputTargets(paths: OutputPaths): OutputTarget[] {
  const { mosaic, charts } = paths;
  return [
    { path: paths.report, as: '--report' },
    ...(mosaic === undefined ? [] : [{ path: mosaic, as: '--mosaic' }, { path: sidecarPath(mosaic), as: `the mosaic's tile index (--mosaic ${mosaic})` }]),
    ...(paths.predictions ? [{ path: paths.predictions, as: '--predictions' }] : []),
    ...(paths.html ? [{ path: paths.html, as: '--html' }] : []),
    ...(charts ? chartPaths(charts).map((path) => ({ path, as: `a chart (--charts ${charts})` })) : []),
  ];
}

/** A run's input files, labelled by option, for `OutputSet.checkWritable` (an archive's entry is its archive). */
export function runInputs(inputs: { readonly images: string; readonly labels: string; readonly weights?: string; readonly model?: string; readonly classes?: string }): NamedPath[] {
  const named: Array<[string, string | undefined]> = [['--images', inputs.images], ['--labels', inputs.labels], ['--weights', inputs.weights], ['--model', inputs.model], ['--classes', inputs.classes]];
  return named.flatMap(([as, path]) => (path === undefined ? [] : [{ path: zipEntryPath(path)?.archive ?? path, as }]));
}

/** What the files are made from. */
export interface StagedResults {
  readonly report: Report;
  /** The report file's bytes (a run writes its error list straight from its ErrorList), or what makes them, called while the PNG deflates. */
  readonly reportJson: Uint8Array | string | (() => Uint8Array | string);
  /** Renders the mosaic of `tiles`, for the PNG and the HTML page: called only when one of them is written. */
  readonly mosaic: () => Mosaic;
  /** The mosaic's tiles, in mosaic order, with their pixels (the HTML page shows them). */
  readonly tiles: readonly Misclassified[];
  /** Image shape. */
  readonly rows: number;
  readonly cols: number;
  /** The images of each confusion cell the HTML page shows (default: the mosaic's tiles), and the cap they were kept under. */
  readonly cellImages?: readonly Misclassified[];
  readonly htmlCap?: number;
}

/**
 * Stages the mosaic, the charts, the HTML page, the tile index and the report, in that order (vega
 * is loaded only for charts or HTML). The mosaic is drawn and encoded only for the files that
 * show it, its PNG and the HTML page (which embeds the PNG); while its PNG deflates on the
 * threadpool, the main thread makes the tile index and the report.
 */
export async function stageResults(outputs: OutputSet, paths: OutputPaths, results: StagedResults): Promise<void> {
  const { report } = results;
  const mosaic = paths.mosaic !== undefined || paths.html ? results.mosaic() : undefined;
  const encoding = mosaic === undefined ? undefined : encodeMosaicPngAsync(mosaic);
  // Awaited below; a failure before then must not also surface as an unhandled rejection.
  encoding?.catch(() => undefined);
  const sidecar = paths.mosaic === undefined || mosaic === undefined ? undefined : formatJson(mosaicSidecar(mosaic, { total: report.total, misclassified: report.misclassified, classes: report.classes }));
  const reportJson = typeof results.reportJson === 'function' ? results.reportJson() : results.reportJson;
  const mosaicPng = await encoding;
  // Written side by side (commit waits for every one), registered in the order they are committed.
  const writes: Promise<void>[] = [];
  if (paths.mosaic !== undefined && mosaicPng !== undefined) writes.push(outputs.stage(paths.mosaic, mosaicPng));
  try {
    if (paths.charts) await stageCharts(outputs, paths.charts, report);
    if (paths.html && mosaicPng !== undefined) {
      const { buildHtmlReport } = await import('../src/html/build-html-report.js');
      const { tiles, cellImages, htmlCap, rows, cols } = results;
      // The process's own wall time (performance.now() counts from its start), beside the pipeline's.
      const processMs = performance.now();
      await outputs.stage(paths.html, await buildHtmlReport({ report, mosaicPng, misclassified: cellImages ?? tiles, cellCap: cellImages === undefined ? undefined : htmlCap, rows, cols, processMs }));
    }
    if (paths.mosaic !== undefined && sidecar !== undefined) writes.push(outputs.stage(sidecarPath(paths.mosaic), sidecar));
    writes.push(outputs.stage(paths.report, reportJson));
  } finally {
    await Promise.allSettled(writes);
  }
  await Promise.all(writes);
}

/** The per-class accuracy and confusion charts, as SVG and PNG (vega is loaded only here). */
async function stageCharts(outputs: OutputSet, dir: string, report: Report): Promise<void> {
  const { renderReportCharts } = await import('../src/charts/report-charts.js');
  const { svgToPng } = await import('../src/charts/render.js');
  const charts = await renderReportCharts(report);
  const svgs = { 'per-class': charts.perClassSvg, confusion: charts.confusionSvg };
  for (const name of CHARTS) {
    await outputs.stage(join(dir, `${name}.svg`), svgs[name]);
    await outputs.stage(join(dir, `${name}.png`), svgToPng(svgs[name]));
  }
}
