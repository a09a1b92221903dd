/**
 * Every figure of one Node version's table, side by side with its peer in one sitting: the warm
 * forward pass (bench/kernel.ts against numpy, bench/onnx-forward.ts against onnxruntime-node),
 * then whole runs from spawn to exit, alternating (ours, peer, ours, …) so that a busy moment
 * hits both: the default run against numpy's script, the .onnx run against onnxruntime-node's,
 * threads and workers, the ch. 7 and ch. 8 convnets against the book's numpy code; and where the
 * time of a default run goes (--cpu-prof).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { NodeBinary } from './node-versions.js';
import { whereTimeGoes } from './profile.js';
import {
  BIN, CONVNET_REFERENCE, DATA, freshBundle, IMAGES_GZ, LABELS_GZ, lastJson, NUMPY_SCRIPT, numpyEnv, ONNX_MODEL, ONNXRUNTIME_PEER, ROOT,
  SIMPLE_CONVNET, stat, timed, WEIGHTS, type Stat,
} from './measure.js';

export interface Pair {
  readonly ours: Stat;
  readonly peer: Stat;
}

/** The CLI's forward time and wall time of a set of runs, with the peer's. */
export interface RunPair {
  readonly wall: Pair;
  readonly forward: Pair;
}

export interface KernelFigure {
  readonly kernel: string;
  readonly warm: Pair;
}

export interface ConvnetFigure {
  readonly model: string;
  readonly images: number;
  readonly weights: string;
  readonly wall: Pair;
  readonly accuracy: { ours: number; numpy: number };
}

export interface NodeFigures {
  readonly label: string;
  readonly node: string;
  readonly loadAverage: { before: number[]; after: number[] };
  /** forward.kernel of the default run's report: which kernel the CLI picked on this Node. */
  readonly kernel: string;
  readonly warmKernels: KernelFigure[];
  readonly warmNumpy: Stat;
  /** numpy's warm pass on one OpenBLAS thread, for reference (its two threads collapse on a busy machine). */
  readonly warmNumpyOneThread: Stat | null;
  readonly warmOnnx: { kernel: string; pair: Pair };
  /** Beside warmOnnx, in its rounds: the pickle's network on the same kernel, and the .onnx one with threads: 2. */
  readonly warmOnnxPickle?: Pair;
  readonly warmOnnxTwoThreads?: Pair;
  readonly defaultRun: RunPair;
  readonly onnxRun: RunPair;
  /** The same .onnx run without the mosaic (the peer's script draws none), against the same peer runs. */
  readonly onnxRunNoMosaic?: RunPair;
  readonly variants: Record<string, RunPair>;
  /** The variants the CLI refused on this build, with its one-line reason. */
  readonly variantsNotRun: Record<string, string>;
  readonly convnets: ConvnetFigure[];
  /** The CLI on the 60,000 training images, the report's forwardMs on 1 and 2 workers (not with --quick). */
  readonly trainSet: { workers1: Stat; workers2: Stat } | null;
  readonly nodeStart: Stat;
  readonly whereTimeGoes: Record<string, number>;
}

export interface FigureOptions {
  readonly runs: number;
  readonly quick: boolean;
  /** A scratch folder: reports, mosaics, profiles, the ch. 8 weights. */
  readonly out: string;
  readonly deepConvnetWeights: string;
  readonly log: (line: string) => void;
}

/** The default run against two threads and workers (the main thread alone below 20,000 images). */
const VARIANTS: Record<string, string[]> = {
  'two threads (`--threads 2`)': ['--threads', '2'],
  'one worker (`--workers 1`)': ['--workers', '1'],
  'two workers (`--workers 2`)': ['--workers', '2'],
};

export async function nodeFigures(node: NodeBinary, o: FigureOptions): Promise<NodeFigures> {
  const before = loadavg();
  const env = { ...process.env, MNIST_EVAL_DATA_DIR: DATA };
  const report = join(o.out, 'report.json');
  const cli = (extra: string[] = []) => (freshBundle(), [BIN, '--quiet', '--report', report, ...(extra.includes('--no-mosaic') ? [] : ['--mosaic', join(o.out, 'errors.png')]), ...extra]);
  const readReport = () => JSON.parse(readFileSync(report, 'utf8'));
  const ours = (extra: string[] = []) => timed(node.path, cli(extra), { env, cwd: o.out });
  const tsx = (script: string, argv: string[]) => execFileSync(node.path, ['--import', 'tsx', join(ROOT, 'bench', script), ...argv], { cwd: ROOT, env: numpyEnv(), maxBuffer: 1 << 26, encoding: 'utf8' });

  o.log(`bench: ${node.label}: warm forward passes (bench/kernel.ts, bench/onnx-forward.ts)`);
  const passes = o.quick ? '5' : '20';
  const rounds = o.quick ? '1' : '3';
  const kernels = lastJson<{
    numpyBestMs: number; numpyMedianMs: number; numpyOneThreadBestMs?: number; numpyOneThreadMedianMs?: number; kernels: { kernel: string; bestMs: number; medianMs: number }[];
  }>(tsx('kernel.ts', ['--passes', passes, '--rounds', rounds]));
  const warmNumpy: Stat = { median: kernels.numpyMedianMs, min: kernels.numpyBestMs, runs: [] };
  const warmNumpyOneThread: Stat | null = kernels.numpyOneThreadBestMs === undefined ? null : { median: kernels.numpyOneThreadMedianMs!, min: kernels.numpyOneThreadBestMs, runs: [] };
  const warmKernels = kernels.kernels.map((k) => ({ kernel: k.kernel, warm: { ours: { median: k.medianMs, min: k.bestMs, runs: [] }, peer: warmNumpy } }));
  const onnx = lastJson<{ kernel: string; oursMs: number[]; pickleMs: number[]; twoThreadsMs: number[]; onnxruntimeMs: number[] }>(tsx('onnx-forward.ts', ['--passes', passes, '--rounds', rounds]));

  // Warm the file cache and check each side agrees with its peer before timing anything.
  await ours();
  const kernel: string = readReport().forward.kernel;
  const numpyArgs = [NUMPY_SCRIPT, IMAGES_GZ, LABELS_GZ, WEIGHTS];
  const numpyCheck = JSON.parse((await timed('python3', numpyArgs, { env: numpyEnv() })).stdout);
  if (readReport().accuracy !== numpyCheck.accuracy) throw new Error(`accuracy differs: ours ${readReport().accuracy}, numpy ${numpyCheck.accuracy}`);
  const onnxArgs = [ONNXRUNTIME_PEER, ONNX_MODEL, IMAGES_GZ, LABELS_GZ];
  await ours(['--weights', ONNX_MODEL]);
  const onnxCheck = JSON.parse((await timed(node.path, onnxArgs)).stdout);
  if (readReport().correct !== onnxCheck.correct) throw new Error(`correct differs on ${ONNX_MODEL}: ours ${readReport().correct}, onnxruntime-node ${onnxCheck.correct}`);

  // A variant this build refuses (say, threads on a kernel that runs on one) is shown as not run, with the CLI's reason.
  const notRun: Record<string, string> = {};
  for (const [name, extra] of Object.entries(VARIANTS)) {
    await timed(node.path, cli(extra), { env, cwd: o.out }).catch((error: Error) => (notRun[name] = error.message.replace(/^[^:]*exited with \d+: (mnist-eval: )?/, '').split('\n')[0]));
  }

  o.log(`bench: ${node.label}: ${o.runs} whole runs each, alternating`);
  const series = () => ({ oursWall: [] as number[], oursForward: [] as number[], peerWall: [] as number[], peerForward: [] as number[] });
  const defaults = series();
  const onnxRuns = series();
  const onnxNoMosaic = series();
  const variants = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, series()]));
  for (let run = 0; run < o.runs; run++) {
    const a = await ours();
    defaults.oursWall.push(a.ms);
    defaults.oursForward.push(readReport().timing.forwardMs);
    const b = await timed('python3', numpyArgs, { env: numpyEnv() });
    defaults.peerWall.push(b.ms);
    defaults.peerForward.push(JSON.parse(b.stdout).forwardMs);
    const c = await ours(['--weights', ONNX_MODEL]);
    onnxRuns.oursWall.push(c.ms);
    onnxRuns.oursForward.push(readReport().timing.forwardMs);
    const d = await timed(node.path, onnxArgs);
    onnxRuns.peerWall.push(d.ms);
    onnxRuns.peerForward.push(JSON.parse(d.stdout).forwardMs);
    // The same without the mosaic: the peer's script draws none.
    const f = await ours(['--weights', ONNX_MODEL, '--no-mosaic']);
    onnxNoMosaic.oursWall.push(f.ms);
    onnxNoMosaic.oursForward.push(readReport().timing.forwardMs);
    for (const [name, extra] of Object.entries(VARIANTS)) {
      if (name in notRun) continue;
      const e = await ours(extra);
      variants[name].oursWall.push(e.ms);
      variants[name].oursForward.push(readReport().timing.forwardMs);
    }
  }
  const pairOf = (s: ReturnType<typeof series>, peer = s): RunPair => ({
    wall: { ours: stat(s.oursWall), peer: stat(peer.peerWall) },
    forward: { ours: stat(s.oursForward), peer: stat(peer.peerForward) },
  });

  // The training set (60,000 images, so one worker by default) on 1 and 2 workers: the report's forwardMs.
  const trainSet: Record<string, number[]> = { '1': [], '2': [] };
  if (!o.quick) {
    o.log(`bench: ${node.label}: the CLI on the training set, --workers 1 and 2`);
    for (let run = 0; run < Math.min(o.runs, 5); run++) {
      for (const w of ['1', '2']) {
        await ours(['--dataset', 'mnist-train', '--workers', w]);
        trainSet[w].push(readReport().timing.forwardMs);
      }
    }
  }

  const convnets = await convnetFigures(node, o, ours, readReport);
  const nodeStart: number[] = [];
  for (let run = 0; run < o.runs; run++) nodeStart.push((await timed(node.path, ['-e', '0'])).ms);
  o.log(`bench: ${node.label}: where the time of a default run goes (--cpu-prof)`);
  const profile = await whereTimeGoes(node.path, cli(), { env, cwd: o.out, dir: join(o.out, 'profile') });
  return {
    label: node.label,
    node: node.version,
    loadAverage: { before, after: loadavg() },
    kernel,
    warmKernels,
    warmNumpy,
    warmNumpyOneThread,
    warmOnnx: { kernel: onnx.kernel, pair: { ours: stat(onnx.oursMs), peer: stat(onnx.onnxruntimeMs) } },
    warmOnnxPickle: { ours: stat(onnx.pickleMs), peer: stat(onnx.onnxruntimeMs) },
    warmOnnxTwoThreads: { ours: stat(onnx.twoThreadsMs), peer: stat(onnx.onnxruntimeMs) },
    defaultRun: pairOf(defaults),
    onnxRun: pairOf(onnxRuns),
    onnxRunNoMosaic: pairOf(onnxNoMosaic, onnxRuns),
    variants: Object.fromEntries(Object.entries(variants).filter(([name]) => !(name in notRun)).map(([name, s]) => [name, pairOf(s, defaults)])),
    variantsNotRun: notRun,
    convnets,
    trainSet: o.quick ? null : { workers1: stat(trainSet['1']), workers2: stat(trainSet['2']) },
    nodeStart: stat(nodeStart),
    whereTimeGoes: profile,
  };
}

/**
 * The ch. 7 SimpleConvNet (the book's trained weights) and the ch. 8 DeepConvNet: mnist-eval's
 * whole run (report and mosaic) against test/reference/convnet_reference.py (the book's layers and
 * im2col in numpy, float64), alternating; ch. 8 on the first 1,000 images only (numpy takes 3-6 s
 * per 1,000 here, so the full set would take about a minute a run), and on fixed random weights (test/fixtures/make-models.py): the book's trained
 * deep_convnet_params.pkl is not in the data folder, and neither side's time depends on the values.
 */
async function convnetFigures(node: NodeBinary, o: FigureOptions, ours: (extra?: string[]) => Promise<{ ms: number }>, readReport: () => { accuracy: number }): Promise<ConvnetFigure[]> {
  const cases = [
    { model: 'simple-convnet', weights: SIMPLE_CONVNET, images: o.quick ? 1000 : 10_000, about: "the book's ch07/params.pkl" },
    { model: 'deep-convnet', weights: o.deepConvnetWeights, images: o.quick ? 200 : 1000, about: 'fixed random weights (test/fixtures/make-models.py)' },
  ];
  const figures: ConvnetFigure[] = [];
  for (const c of cases) {
    o.log(`bench: ${node.label}: ${c.model} on ${c.images} images, against numpy`);
    const limit = c.images < 10_000 ? ['--limit', String(c.images)] : [];
    const oursWall: number[] = [];
    const numpyWall: number[] = [];
    let accuracy = { ours: 0, numpy: 0 };
    for (let run = 0; run < (o.quick ? 1 : Math.min(o.runs, 3)); run++) {
      oursWall.push((await ours(['--model', c.model, '--weights', c.weights, ...limit])).ms);
      const numpy = await timed('python3', [CONVNET_REFERENCE, IMAGES_GZ, LABELS_GZ, c.weights, c.model, ...limit], { env: numpyEnv() });
      numpyWall.push(numpy.ms);
      accuracy = { ours: readReport().accuracy, numpy: JSON.parse(numpy.stdout).accuracy };
    }
    if (accuracy.ours !== accuracy.numpy) throw new Error(`${c.model}: accuracy differs: ours ${accuracy.ours}, numpy ${accuracy.numpy}`);
    figures.push({ model: c.model, images: c.images, weights: c.about, wall: { ours: stat(oursWall), peer: stat(numpyWall) }, accuracy });
  }
  return figures;
}
