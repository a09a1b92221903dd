/**
 * `npm run plot:activations`: the activation functions chart (step, sigmoid, ReLU over -5..5),
 * written as out/activations.svg and out/activations.png. Usage: tsx scripts/plot-activations.ts [out-folder]
 */
import { join } from 'node:path';
import { activationsSpec } from '../src/charts/activations-chart.js';
import { renderSvg, svgToPng } from '../src/charts/render.js';
import { writeOutputs } from '../src/outputs/write-outputs.js';

async function plotActivations(folder: string): Promise<string[]> {
  const svg = await renderSvg(activationsSpec());
  return writeOutputs([
    [join(folder, 'activations.svg'), svg],
    [join(folder, 'activations.png'), svgToPng(svg)],
  ]);
}

const started = performance.now();
const written = await plotActivations(process.argv[2] ?? 'out');
for (const path of written) console.log(`wrote ${path}`);
console.log(`in ${Math.round(performance.now() - started)} ms`);
