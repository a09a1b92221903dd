import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { findChartFont } from './chart-font.js';

/**
 * Vega-Lite spec → SVG text → PNG bytes, headless and offline. vega takes longer to import than a
 * whole default run takes, so neither it nor resvg is imported at the top of this module:
 * the CLI can import the chart code for a plain run and pay nothing until a chart is drawn.
 */

/** Compiles `spec` with vega-lite and renders it with vega's headless view (no canvas, no DOM). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Pixels per SVG unit. Default 2, so the text stays sharp on high-density screens and in print. */
  scale?: number;
}

type Resvg = typeof import('@resvg/resvg-js');
const require = createRequire(import.meta.url);
let warnedNoFont = false;

/**
 * Draws `svg` into a PNG with resvg. Text uses the font from `findChartFont` (system fonts are not
 * scanned); the SVG's generic `sans-serif` maps to it.
 */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const { Resvg } = require('@resvg/resvg-js') as Resvg; // loaded on first use, see above
  const scale = options.scale ?? 2;
  const font = findChartFont();
  if (!font && !warnedNoFont) {
    warnedNoFont = true;
    process.emitWarning('no chart font found (install fonts-dejavu-core, or set MNIST_EVAL_CHART_FONT to a TTF file): using system fonts, chart text may be missing');
  }
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: font
      ? { fontFiles: [font.file], loadSystemFonts: false, defaultFontFamily: font.family, sansSerifFamily: font.family }
      : { loadSystemFonts: true },
  });
  return resvg.render().asPng();
}
