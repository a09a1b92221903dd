/**
 * Throughput at scale (issue #15, item 5), run by bench/large.ts:
 *
 * - a million generated images (gzip) through two workers and the main thread (`--workers 2`):
 *   the peak RSS, against a budget of 150 MB;
 * - ten million generated images streamed through a pipe (bench/generate-stream.ts writing raw IDX
 *   to mnist-eval's standard input, `--images -`): the resident memory sampled every 250 ms from
 *   start to exit, so a flat line shows, and what grows (the error list, 13 bytes an error) is told
 *   apart from a leak: the RSS at each tenth of the run, the growth from the first tenth to the
 *   last, and the peak.
 *
 * Memory is the process's own VmRSS/VmHWM (Linux /proc), never a figure asserted by a test.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
export const WORKERS_BUDGET_MB = 150;

export interface ScaleOptions {
  readonly dir: string;
  /** The command that runs mnist-eval: node's arguments before mnist-eval's own. */
  readonly cli: readonly string[];
  readonly weights: string;
  /** The generated gzip pair of a million images (bench/large.ts's dataset). */
  readonly million: { readonly images: string; readonly labels: string };
  /** Images to stream (default 10,000,000). */
  readonly streamCount?: number;
}

interface Memory {
  readonly code: number | null;
  readonly wallMs: number;
  readonly peakRssMb: number;
  /** [ms since spawn, VmRSS MB] every 250 ms. */
  readonly samples: readonly (readonly [number, number])[];
  readonly stderr: string;
}

function status(pid: number): { rssKb: number; hwmKb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? 0), hwmKb: Number(/VmHWM:\s+(\d+)/.exec(text)?.[1] ?? 0) };
  } catch {
    return undefined; // exited between two polls
  }
}

/** Runs mnist-eval with `args` (its standard input from `feeder`'s stdout when given), sampling its memory. */
function sampled(args: readonly string[], feeder?: readonly string[]): Promise<Memory> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const generator = feeder === undefined ? undefined : spawn(process.execPath, feeder, { stdio: ['ignore', 'pipe', 'inherit'] });
    const child = spawn(process.execPath, args, { stdio: [generator?.stdout ?? 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakKb = 0;
    const samples: [number, number][] = [];
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const poll = (): void => {
      const now = status(child.pid!);
      if (now === undefined) return;
      peakKb = Math.max(peakKb, now.hwmKb);
      samples.push([performance.now() - started, now.rssKb / 1024]);
    };
    const hwm = setInterval(() => {
      const now = status(child.pid!);
      if (now) peakKb = Math.max(peakKb, now.hwmKb);
    }, 20);
    const timer = setInterval(poll, 250);
    child.on('error', fail);
    child.on('close', (code) => {
      clearInterval(timer);
      clearInterval(hwm);
      generator?.kill();
      done({ code, wallMs: performance.now() - started, peakRssMb: peakKb / 1024, samples, stderr });
    });
  });
}

/** The RSS at each tenth of the run (the sample nearest it). */
function tenths(samples: readonly (readonly [number, number])[], wallMs: number): number[] {
  return Array.from({ length: 9 }, (_, k) => {
    const at = ((k + 1) / 10) * wallMs;
    return samples.reduce((best, s) => (Math.abs(s[0] - at) < Math.abs(best[0] - at) ? s : best), samples[0])[1];
  });
}

const mb = (x: number) => x.toFixed(0);
const s = (ms: number) => (ms / 1000).toFixed(1);

/** Runs both measurements; returns their figures and the lines to print. */
export async function runScaleBench(options: ScaleOptions): Promise<{ results: Record<string, unknown>; lines: string[]; withinBudget: boolean }> {
  const { dir, cli, weights, million } = options;
  const count = options.streamCount ?? 10_000_000;
  const outputs = (name: string) => ['--weights', weights, '--report', join(dir, `${name}.json`), '--mosaic', join(dir, `${name}.png`), '--quiet'];

  process.stderr.write('scale: 1,000,000 images with --workers 2 …\n');
  const workers = await sampled([...cli, '--images', million.images, '--labels', million.labels, '--workers', '2', ...outputs('scale-workers2')]);
  if (workers.code !== 0) throw new Error(`mnist-eval --workers 2 failed (${workers.code}): ${workers.stderr}`);
  const withinBudget = workers.peakRssMb <= WORKERS_BUDGET_MB;

  const labels = join(dir, `stream-${count}-labels-idx1-ubyte`);
  const generator = ['--import', TSX, join(ROOT, 'bench/generate-stream.ts'), '--count', String(count)];
  await new Promise<void>((done, fail) => {
    spawn(process.execPath, [...generator, '--labels-out', labels], { stdio: 'inherit' }).on('close', (code) => (code === 0 ? done() : fail(new Error(`labels: exit ${code}`))));
  });
  process.stderr.write(`scale: ${count.toLocaleString('en')} images through a pipe …\n`);
  const stream = await sampled([...cli, '--images', '-', '--labels', labels, ...outputs('scale-stream')], generator);
  if (stream.code !== 0) throw new Error(`mnist-eval --images - failed (${stream.code}): ${stream.stderr}`);
  const report = JSON.parse(readFileSync(join(dir, 'scale-stream.json'), 'utf8')) as { total: number; misclassified: number; accuracy: number };
  const rss = tenths(stream.samples, stream.wallMs);

  const lines = [
    '',
    `1,000,000 images, --workers 2 (two workers and the main thread): ${s(workers.wallMs)} s, peak RSS ${mb(workers.peakRssMb)} MB` +
      ` (budget ${WORKERS_BUDGET_MB} MB: ${withinBudget ? 'within' : 'OVER'})`,
    `${count.toLocaleString('en')} images through a pipe (generate-stream | mnist-eval --images -): ${s(stream.wallMs)} s` +
      ` (${Math.round(report.total / (stream.wallMs / 1000)).toLocaleString('en')} images/s, ${report.misclassified.toLocaleString('en')} errors), peak RSS ${mb(stream.peakRssMb)} MB;` +
      ` RSS at each tenth of the run: ${rss.map(mb).join(', ')} MB (${rss[8] - rss[0] >= 0 ? '+' : ''}${mb(rss[8] - rss[0])} MB from the first tenth to the last)`,
  ];
  return {
    results: {
      workers2: { images: 1_000_000, wallMs: workers.wallMs, peakRssMb: workers.peakRssMb, budgetMb: WORKERS_BUDGET_MB, withinBudget },
      stream: { images: report.total, misclassified: report.misclassified, accuracy: report.accuracy, wallMs: stream.wallMs, peakRssMb: stream.peakRssMb, rssTenthsMb: rss, samples: stream.samples },
    },
    lines,
    withinBudget,
  };
}
