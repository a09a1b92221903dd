/**
 * The convnets against the book's numpy code, side by side in one sitting, as ratios: the ch. 7
 * SimpleConvNet (the book's trained weights) and the ch. 8 DeepConvNet (fixed random weights from
 * test/fixtures/make-models.py, or the book's deep_convnet_params.pkl when the data folder has it:
 * neither side's time depends on the values) on the MNIST test images.
 *
 *     npx tsx bench/convnet.ts [--runs N] [--simple-images N] [--deep-images N] [--quick]
 *
 * Each run, alternating numpy and mnist-eval:
 * - forward: numpy's batch loop over the book's layers (test/reference/convnet_reference.py: im2col
 *   and np.dot, batches of 100, timed inside Python) against mnist-eval's float64 convnet kernel
 *   on the main thread alone (timed inside Node, after one warm batch), and against the CLI's own
 *   `timing.forwardMs` (its default plan: a forward worker beside the main thread from 10,000 images);
 * - whole run: the book's script (load, forward, accuracy) against the CLI's default run (report
 *   and mosaic), each timed from spawn to exit.
 * Figures are medians (and minima) of the runs; the machine's load average is printed beside
 * them, for the machine is shared. Also the largest difference between mnist-eval's probabilities
 * and numpy's, and whether every prediction is the same. Nothing here is asserted by `npm test`.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createConvnetPass } from '../src/kernels/wasm-convnet-kernel.js';
import { loadModel } from '../src/model/load-model.js';
import { DATA, IMAGES_GZ, LABELS_GZ, ROOT } from './measure.js';

const REFERENCE = join(ROOT, 'test/reference/convnet_reference.py');
const BIN = join(ROOT, 'bin/mnist-eval.js');

const { values: args } = parseArgs({
  options: { runs: { type: 'string' }, 'simple-images': { type: 'string' }, 'deep-images': { type: 'string' }, quick: { type: 'boolean', default: false } },
});
const QUICK = args.quick!;
const RUNS = Number(args.runs ?? (QUICK ? 1 : 3));
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Stat {
  readonly median: number;
  readonly min: number;
}
const stat = (runs: readonly number[]): Stat => {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return { median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, min: sorted[0] };
};

/** numpy's forward loop, timed inside Python; the probabilities of every image on the first run. */
const NUMPY_FORWARD = `
import json, sys, time
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'test/reference'))})
import numpy as np, convnet_reference as ref
images, weights, model, limit, dump = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == '1'
params = ref.load_params(weights)
layers = (ref.simple_convnet(params) if model == 'simple-convnet' else ref.deep_convnet(params)) + [ref.Softmax()]
x = ref.read_idx(images, 16).reshape(-1, 1, 28, 28).astype(np.float32)[:limit]
x /= 255.0
out = []
started = time.perf_counter()
for i in range(0, len(x), 100):
    y = x[i:i + 100]
    for layer in layers:
        y = layer.forward(y)
    out.append(y)
ms = (time.perf_counter() - started) * 1000
print(json.dumps({'ms': ms, 'probabilities': np.concatenate(out).ravel().tolist() if dump else None}))
`;

/** A command's wall time from spawn to exit, and its stdout. */
function timed(command: string, argv: readonly string[]): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise({ ms: performance.now() - started, stdout }) : reject(new Error(`${command} ${argv.join(' ')}: exit ${code}: ${stderr.trim()}`))));
  });
}

/** mnist-eval's probabilities and forward time on the main thread alone (the float64 convnet kernel), after one warm batch. */
async function oursForward(model: string, weights: string, images: Uint8Array, count: number): Promise<{ ms: number; probabilities: Float64Array }> {
  const { network } = await loadModel({ model, weights, imageShape: [28, 28] });
  const pass = createConvnetPass(network, { normalize: true, maxBatchSize: 100 });
  const probabilities = new Float64Array(count * pass.outputs);
  pass.run(images, 100);
  const started = performance.now();
  for (let i = 0; i < count; i += 100) probabilities.set(pass.run(images.subarray(i * 784), Math.min(100, count - i)), i * pass.outputs);
  return { ms: performance.now() - started, probabilities };
}

function argmax(y: ArrayLike<number>, row: number, cols: number): number {
  let best = 0;
  for (let j = 1; j < cols; j++) if (y[row * cols + j] > y[row * cols + best]) best = j;
  return best;
}

async function bench(model: string, weights: string, about: string, count: number, out: string) {
  log(`bench: ${model} (${about}) on ${count} images, ${RUNS} run(s), against numpy`);
  const images = gunzipSync(readFileSync(IMAGES_GZ)).subarray(16, 16 + count * 784);
  const limit = ['--limit', String(count)];
  const numpyForward: number[] = [];
  const numpyWhole: number[] = [];
  const oursMain: number[] = [];
  const oursCliForward: number[] = [];
  const oursWhole: number[] = [];
  const load: number[] = [];
  let comparison = { largestDifference: 0, predictionsDiffering: 0 };
  for (let run = 0; run < RUNS; run++) {
    load.push(loadavg()[0]);
    const numpy = JSON.parse((await promisify(execFile)('python3', ['-c', NUMPY_FORWARD, IMAGES_GZ, weights, model, String(count), run === 0 ? '1' : '0'], { maxBuffer: 1 << 28 })).stdout) as { ms: number; probabilities: number[] | null };
    numpyForward.push(numpy.ms);
    const ours = await oursForward(model, weights, images, count);
    oursMain.push(ours.ms);
    if (numpy.probabilities !== null) {
      let largest = 0;
      let differing = 0;
      for (let i = 0; i < numpy.probabilities.length; i++) largest = Math.max(largest, Math.abs(numpy.probabilities[i] - ours.probabilities[i]));
      for (let n = 0; n < count; n++) if (argmax(numpy.probabilities, n, 10) !== argmax(ours.probabilities, n, 10)) differing++;
      comparison = { largestDifference: largest, predictionsDiffering: differing };
    }
    numpyWhole.push((await timed('python3', [REFERENCE, IMAGES_GZ, LABELS_GZ, weights, model, ...limit])).ms);
    const report = join(out, `${model}.json`);
    oursWhole.push((await timed(process.execPath, [BIN, '--model', model, '--weights', weights, '--images', IMAGES_GZ, '--labels', LABELS_GZ, ...limit, '--report', report, '--mosaic', join(out, 'errors.png'), '--quiet'])).ms);
    const { timing, forward } = JSON.parse(readFileSync(report, 'utf8')) as { timing: { forwardMs: number }; forward: { kernel: string; workers: number } };
    oursCliForward.push(timing.forwardMs);
    if (run === 0) log(`bench: ${model}: the CLI ran the ${forward.kernel} kernel with ${forward.workers} worker(s)`);
  }
  const ratio = (ours: Stat, peer: Stat) => ours.median / peer.median;
  const figures = {
    model, about, images: count, runs: RUNS, load: stat(load),
    forward: { numpy: stat(numpyForward), mainThread: stat(oursMain), cli: stat(oursCliForward) },
    whole: { numpy: stat(numpyWhole), cli: stat(oursWhole) },
    ...comparison,
  };
  return { ...figures, ratios: { mainThread: ratio(figures.forward.mainThread, figures.forward.numpy), cliForward: ratio(figures.forward.cli, figures.forward.numpy), whole: ratio(figures.whole.cli, figures.whole.numpy) } };
}

const ms = (s: Stat) => `${(s.median / 1000).toFixed(2)} s (min ${(s.min / 1000).toFixed(2)})`;

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'mnist-eval-bench-convnet-'));
  try {
    const book = join(DATA, 'deep_convnet_params.pkl');
    let deep = book;
    if (!existsSync(book)) {
      await promisify(execFile)('python3', [join(ROOT, 'test/fixtures/make-models.py'), out]);
      deep = join(out, 'deep-convnet.pkl');
    }
    const results = [
      await bench('simple-convnet', join(DATA, 'simple_convnet_params.pkl'), "the book's ch07 params.pkl", Number(args['simple-images'] ?? (QUICK ? 1000 : 10_000)), out),
      await bench('deep-convnet', deep, deep === book ? "the book's deep_convnet_params.pkl" : 'fixed random weights (make-models.py)', Number(args['deep-images'] ?? (QUICK ? 500 : 10_000)), out),
    ];
    const lines = ['| network | images | numpy forward | ours, main thread (ratio) | ours, CLI forwardMs (ratio) | numpy script | ours, CLI run (ratio) | load | largest probability difference | predictions differing |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
    for (const r of results) {
      lines.push(`| ${r.model} | ${r.images} | ${ms(r.forward.numpy)} | ${ms(r.forward.mainThread)} (${r.ratios.mainThread.toFixed(2)}×) | ${ms(r.forward.cli)} (${r.ratios.cliForward.toFixed(2)}×) | ${ms(r.whole.numpy)} | ${ms(r.whole.cli)} (${r.ratios.whole.toFixed(2)}×) | ${r.load.median.toFixed(1)} | ${r.largestDifference.toExponential(1)} | ${r.predictionsDiffering} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(results)}\n`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
