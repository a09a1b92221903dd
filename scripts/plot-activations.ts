/**
 * `npm run plot:activations`: the activation functions chart (step, sigmoid, ReLU over -5..5),
 * written as out/activations.svg and out/activations.png. Usage: tsx scripts/plot-activations.ts [out-folder]
 */
import { join } from 'node:path';
import { activationsSpec } from '../src/charts/activations-chart.js';
import { renderSvg, svgToPng } from '../src/charts/render.js';
import { OutputSet } from '../src/outputs/output-set.js';

async function plotActivations(folder: string): Promise<string[]> {
  const svg = await renderSvg(activationsSpec());
  const outputs = new OutputSet();
  try {
    await outputs.stage(join(folder, 'activations.svg'), svg);
    await outputs.stage(join(folder, 'activations.png'), svgToPng(svg));
    return await outputs.commit();
  } catch (error) {
    await outputs.abort();
    throw error;
  }
}

const started = performance.now();
const written = await plotActivations(process.argv[2] ?? 'out');
for (const path of written) console.log(`wrote ${path}`);
console.log(`in ${Math.round(performance.now() - started)} ms`);
