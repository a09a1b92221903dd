/**
 * The large-dataset benchmark (issue #7): throughput and peak memory of `mnist-eval` on 10k, 100k
 * and 1M generated images, against numpy reading the same gzip files in chunks of 10,000, and a
 * 1M shard-and-merge in 2 processes against 1.
 *
 *   npx tsx bench/large.ts [--quick] [--sizes 10000,100000,1000000] [--dir DIR] [--cli bin|src]
 *                          [--workers N] [--repeat N] [--no-numpy] [--no-shards] [--no-backpressure] [--json PATH]
 *                          [--no-scale] [--stream-count N]
 *
 * Datasets are generated once (pipelines/generate-dataset.ts, seed 1) into DIR (default
 * $MNIST_EVAL_BENCH_DIR or <tmp>/mnist-eval-bench) and reused. Every run is a fresh process;
 * wall time is from spawn to exit, peak memory the process's VmHWM (Linux), polled every 20 ms
 * (a high-water mark, so polling misses only the last few milliseconds). `--cli bin` runs
 * bin/mnist-eval.js (the bundle when built), `--cli src` the TypeScript sources through tsx.
 * Unless `--no-scale`, 1M images on `--workers 2` against a 150 MB peak, and `--stream-count`
 * (10M) generated images through a pipe, their memory sampled over the run (bench/scale.ts); the
 * exit status is 1 when the 1M run goes over its budget.
 * Then, unless `--no-backpressure`, the memory the credits save (bench/backpressure.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateDataset, readBaseSet } from '../pipelines/generate-dataset.js';
import { requireDataFile, sampleWeights, TEST_IMAGES, TEST_LABELS } from '../src/datasets/data-files.js';
import { runBackpressureBench } from './backpressure.js';
import { runScaleBench } from './scale.js';
import { largeTable } from './large-table.js';
import { updateReadmeSection } from './readme-section.js';

interface Measured {
  readonly code: number | null;
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end, polling its VmHWM. */
function measure(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // exited between two polls
      }
    }, 20);
    child.on('error', fail);
    child.on('close', (code) => {
      clearInterval(poll);
      done({ code, wallMs: performance.now() - started, peakRssMb: peakKb / 1024, stdout, stderr });
    });
  });
}

const { values: v } = parseArgs({
  options: {
    sizes: { type: 'string' },
    quick: { type: 'boolean', default: false },
    dir: { type: 'string' },
    cli: { type: 'string', default: 'bin' },
    workers: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    'no-numpy': { type: 'boolean', default: false },
    'no-shards': { type: 'boolean', default: false },
    'no-backpressure': { type: 'boolean', default: false },
    'no-scale': { type: 'boolean', default: false },
    'stream-count': { type: 'string', default: '10000000' },
    json: { type: 'string' },
  },
});

const root = resolve(new URL('..', import.meta.url).pathname);
const dir = v.dir ?? process.env.MNIST_EVAL_BENCH_DIR ?? join(tmpdir(), 'mnist-eval-bench');
// --quick (from `npm run bench -- --quick`): 10k and 100k only, no shards, no 1M/10M scale runs.
const sizes = (v.sizes ?? (v.quick ? '10000,100000' : '10000,100000,1000000')).split(',').map((size) => Number(size.replace(/_/g, '')));
const repeat = Number(v.repeat);
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const cli = v.cli === 'src' ? ['--import', tsx, join(root, 'src/cli/main.ts')] : [join(root, 'bin/mnist-eval.js')];
const weights = await sampleWeights();
const workersArgs = v.workers === undefined ? [] : ['--workers', v.workers];

/** The generated pair for `count` images, made once. */
async function dataset(count: number): Promise<{ images: string; labels: string }> {
  const name = `bench-${count}-seed1`;
  const images = join(dir, `${name}-images-idx3-ubyte.gz`);
  const labels = join(dir, `${name}-labels-idx1-ubyte.gz`);
  if (existsSync(images) && existsSync(labels)) return { images, labels };
  process.stderr.write(`generating ${count} images into ${dir} …\n`);
  const base = await readBaseSet(requireDataFile(TEST_IMAGES), requireDataFile(TEST_LABELS));
  return generateDataset(base, dir, name, { count, seed: 1 });
}

async function evaluate(files: { images: string; labels: string }, name: string, extra: readonly string[] = []) {
  const report = join(dir, `${name}.json`);
  const run = await measure(process.execPath, [
    ...cli, '--images', files.images, '--labels', files.labels, '--weights', weights,
    '--report', report, '--mosaic', join(dir, `${name}-mosaic.png`), '--quiet', ...workersArgs, ...extra,
  ]);
  if (run.code !== 0) throw new Error(`mnist-eval failed (${run.code}): ${run.stderr}`);
  return { ...run, report: JSON.parse(readFileSync(report, 'utf8')) as { accuracy: number; total: number; misclassified: number; timing: { totalMs: number }; forward: unknown } };
}

const best = <T extends { wallMs: number }>(runs: T[]): T => runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
const mb = (x: number) => x.toFixed(0);
const s = (ms: number) => (ms / 1000).toFixed(2);
const loadBefore = loadavg()[0];
const results: Record<string, unknown> = { cli: v.cli, workers: v.workers ?? 'default', sizes: {} };
const lines: string[] = [];

lines.push('images     | mnist-eval wall  images/s   peak RSS | numpy wall  (in-loop)  images/s  peak RSS | accuracy');
for (const size of sizes) {
  const files = await dataset(size);
  const runs = [];
  for (let r = 0; r < repeat; r++) runs.push(await evaluate(files, `run-${size}`));
  const ours = best(runs);
  let numpy: (Measured & { seconds: number; accuracy: number }) | undefined;
  if (!v['no-numpy']) {
    // The OpenBLAS variables set on some machines slow a current numpy down; the peer runs without them.
    const { OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, ...env } = process.env;
    void OPENBLAS_CORETYPE, void OPENBLAS_L2_SIZE;
    const peers = [];
    for (let r = 0; r < repeat; r++) {
      const peer = await measure('python3', [join(root, 'bench/numpy_peer.py'), files.images, files.labels, weights], env);
      if (peer.code !== 0) throw new Error(`numpy peer failed: ${peer.stderr}`);
      const parsed = JSON.parse(peer.stdout) as { seconds: number; accuracy: number };
      peers.push({ ...peer, ...parsed });
    }
    numpy = best(peers);
  }
  (results.sizes as Record<number, unknown>)[size] = {
    mnistEval: { wallMs: ours.wallMs, inRunMs: ours.report.timing.totalMs, imagesPerSecond: size / (ours.wallMs / 1000), peakRssMb: ours.peakRssMb, accuracy: ours.report.accuracy, forward: ours.report.forward },
    numpy: numpy && { wallMs: numpy.wallMs, inLoopMs: numpy.seconds * 1000, imagesPerSecond: size / (numpy.wallMs / 1000), peakRssMb: numpy.peakRssMb, accuracy: numpy.accuracy },
  };
  lines.push(
    `${String(size).padEnd(10)} | ${s(ours.wallMs).padStart(8)} s ${Math.round(size / (ours.wallMs / 1000)).toString().padStart(10)} ${mb(ours.peakRssMb).padStart(7)} MB` +
      (numpy
        ? ` | ${s(numpy.wallMs).padStart(8)} s ${s(numpy.seconds * 1000).padStart(8)} s ${Math.round(size / (numpy.wallMs / 1000)).toString().padStart(9)} ${mb(numpy.peakRssMb).padStart(6)} MB`
        : ' | (numpy skipped)') +
      ` | ${ours.report.accuracy.toFixed(4)}${numpy ? ` / ${numpy.accuracy.toFixed(4)}` : ''}`,
  );
  process.stderr.write(`${lines.at(-1)}\n`);
}

if (!v['no-shards'] && !v.quick) {
  const size = sizes.at(-1)!;
  const files = await dataset(size);
  const single = await evaluate(files, `single-${size}`);
  const started = performance.now();
  const parts = await Promise.all([0, 1].map((k) => evaluate(files, `part${k}-${size}`, ['--shard', `${k}/2`])));
  const partsMs = performance.now() - started;
  const merge = await measure(process.execPath, [
    ...cli, 'merge', join(dir, `part0-${size}.json`), join(dir, `part1-${size}.json`),
    '--report', join(dir, `merged-${size}.json`), '--mosaic', join(dir, `merged-${size}-mosaic.png`), '--quiet',
  ]);
  if (merge.code !== 0) throw new Error(`merge failed: ${merge.stderr}`);
  const merged = JSON.parse(readFileSync(join(dir, `merged-${size}.json`), 'utf8')) as { correct: number; errors: unknown[] };
  const whole = JSON.parse(readFileSync(join(dir, `single-${size}.json`), 'utf8')) as { correct: number; errors: unknown[] };
  const same = merged.correct === whole.correct && JSON.stringify(merged.errors) === JSON.stringify(whole.errors);
  results.shards = {
    images: size, singleMs: single.wallMs, singlePeakRssMb: single.peakRssMb, twoProcessesMs: partsMs, mergeMs: merge.wallMs,
    totalMs: partsMs + merge.wallMs, partPeakRssMb: Math.max(...parts.map((p) => p.peakRssMb)), mergePeakRssMb: merge.peakRssMb, mergedEqualsSingle: same,
  };
  lines.push(
    '',
    `shard-and-merge, ${size} images: 1 process ${s(single.wallMs)} s; 2 shard processes at once ${s(partsMs)} s + merge ${s(merge.wallMs)} s = ${s(partsMs + merge.wallMs)} s` +
      ` (peak RSS ${mb(single.peakRssMb)} MB vs ${mb(Math.max(...parts.map((p) => p.peakRssMb)))} MB a shard, ${mb(merge.peakRssMb)} MB the merge); merged report equals the single run: ${same}`,
  );
}

if (!v['no-scale'] && !v.quick) {
  const scale = await runScaleBench({ dir, cli, weights, million: await dataset(1_000_000), streamCount: Number(v['stream-count']!.replace(/_/g, '')) });
  results.scale = scale.results;
  lines.push(...scale.lines);
  if (!scale.withinBudget) process.exitCode = 1;
}

process.stdout.write(`\n${lines.join('\n')}\n`);
const table = largeTable(results, loadBefore, loadavg()[0]);
process.stdout.write(`\n${table}\n`);
updateReadmeSection('bench:large', table, new Date().toISOString(), ['npx tsx bench/large.ts', ...process.argv.slice(2)].join(' '));
if (v.json) await writeFile(v.json, JSON.stringify(results, null, 2) + '\n');
if (!v['no-backpressure']) await runBackpressureBench({ dir });
