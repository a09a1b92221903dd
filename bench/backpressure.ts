/**
 * The memory that backpressure saves: a source reads 50,000 generated images (39 MB of raw IDX,
 * in 64 KiB reads) in batches of 100 ahead of a consumer that takes 2 ms a batch, once with
 * Credits(4) and once without, and the growth of array-buffer memory in use is sampled (after a
 * full collection) every 50 batches. The test suite asserts only what load cannot move, the
 * batches read ahead (test/large/backpressure.test.ts); the megabytes are measured here.
 *
 *   npx tsx bench/backpressure.ts [--runs N] [--dir DIR]
 *
 * Run by `npm run bench` (at the end of bench/large.ts). Prints a table and puts it in
 * bench/README.md between the `bench:backpressure` markers.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { concatMap, lastValueFrom, reduce, tap } from 'rxjs';
import { generateDataset, readBaseSet } from '../pipelines/generate-dataset.js';
import { requireDataFile, TEST_IMAGES, TEST_LABELS } from '../src/datasets/data-files.js';
import { Credits } from '../src/operators/credits.js';
import { readBatches$ } from '../src/sources/mnist.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const IMAGES = 50_000;
const BATCH = 100;
const LIMIT = 4;

setFlagsFromString('--expose-gc');
/** A full garbage collection, so that memory measured afterwards is memory still in use. */
const gc = runInNewContext('gc') as () => void;

/** Array-buffer memory in use, in MB: after a full collection, and a turn of the event loop for the sweeper to free what it found. */
async function liveBuffersMb(): Promise<number> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 5));
  return process.memoryUsage().arrayBuffers / 2 ** 20;
}

/** The generated set of IMAGES images as raw IDX files (a shard can seek in those), made once into `dir`. */
async function rawSet(dir: string): Promise<{ images: string; labels: string }> {
  const name = `bench-${IMAGES}-seed1`;
  const images = join(dir, `${name}-images-idx3-ubyte`);
  const labels = join(dir, `${name}-labels-idx1-ubyte`);
  if (existsSync(images) && existsSync(labels)) return { images, labels };
  let gz = { images: `${images}.gz`, labels: `${labels}.gz` };
  if (!existsSync(gz.images) || !existsSync(gz.labels)) {
    process.stderr.write(`generating ${IMAGES} images into ${dir} …\n`);
    gz = await generateDataset(await readBaseSet(requireDataFile(TEST_IMAGES), requireDataFile(TEST_LABELS)), dir, name, { count: IMAGES, seed: 1 });
  }
  await writeFile(images, gunzipSync(await readFile(gz.images)));
  await writeFile(labels, gunzipSync(await readFile(gz.labels)));
  return { images, labels };
}

interface Sample {
  /** The most batches read and not yet consumed. */
  readonly ahead: number;
  /** The largest growth of array-buffer memory in use over the run, in MB. */
  readonly memoryMb: number;
}

/** One run of the slow consumer over the raw set, with `credits` or without. */
async function slowConsumer(files: { images: string; labels: string }, credits: Credits | undefined): Promise<Sample> {
  let read = 0;
  let consumed = 0;
  let ahead = 0;
  let memoryMb = 0;
  const baseline = await liveBuffersMb();
  await lastValueFrom(
    readBatches$(files.images, files.labels, BATCH, { highWaterMark: 64 * 1024, ready: credits && (() => credits.room()) }).pipe(
      tap(() => {
        read++;
        credits?.take();
        ahead = Math.max(ahead, read - consumed);
      }),
      concatMap(async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        consumed++;
        if (consumed % 50 === 0) memoryMb = Math.max(memoryMb, (await liveBuffersMb()) - baseline);
        credits?.give();
      }),
      reduce((n) => n + 1, 0),
    ),
  );
  return { ahead, memoryMb };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export interface BackpressureResults {
  readonly date: string;
  readonly runs: number;
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly withCredits: readonly Sample[];
  readonly withoutCredits: readonly Sample[];
}

/** Runs the measurement `runs` times each way (alternating, so a busy moment falls on both). */
export async function benchBackpressure(options: { runs?: number; dir?: string } = {}): Promise<BackpressureResults> {
  const runs = options.runs ?? 5;
  const files = await rawSet(options.dir ?? process.env.MNIST_EVAL_BENCH_DIR ?? join(tmpdir(), 'mnist-eval-bench'));
  const before = loadavg()[0];
  const withCredits: Sample[] = [];
  const withoutCredits: Sample[] = [];
  for (let run = 0; run < runs; run++) {
    withCredits.push(await slowConsumer(files, new Credits(LIMIT)));
    withoutCredits.push(await slowConsumer(files, undefined));
  }
  return { date: new Date().toISOString(), runs, loadAverage: { before, after: loadavg()[0] }, withCredits, withoutCredits };
}

/** The markdown table of bench/README.md. */
export function formatBackpressureTable(r: BackpressureResults): string {
  const row = (what: string, samples: readonly Sample[]) => {
    const mb = samples.map((s) => s.memoryMb);
    return `| ${what} | ${median(samples.map((s) => s.ahead))} | ${median(mb).toFixed(1)} | ${Math.min(...mb).toFixed(1)} … ${Math.max(...mb).toFixed(1)} |`;
  };
  return [
    `| ${IMAGES.toLocaleString('en-US')} images (39 MB raw) in batches of ${BATCH}, consumer 2 ms a batch | batches ahead, median | array buffers grown by, MB, median | MB, min … max |`,
    '| --- | ---: | ---: | ---: |',
    row(`with Credits(${LIMIT})`, r.withCredits),
    row('without credits', r.withoutCredits),
    '',
    `${r.runs} runs each way, alternating. 1-minute load average ${r.loadAverage.before.toFixed(2)} at the start, ${r.loadAverage.after.toFixed(2)} at the end.`,
  ].join('\n');
}

/** Puts the table between the `bench:backpressure` markers of bench/README.md, if it has them. */
export function updateBackpressureReadme(table: string, date: string): void {
  const path = join(ROOT, 'bench/README.md');
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const start = '<!-- bench:backpressure:start -->';
  const end = '<!-- bench:backpressure:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return;
  writeFileSync(path, `${text.slice(0, i + start.length)}\nLatest run: ${date} (\`npm run bench\`).\n\n${table}\n${text.slice(j)}`);
}

/** Measures, prints the table and writes it into bench/README.md. */
export async function runBackpressureBench(options: { runs?: number; dir?: string } = {}): Promise<void> {
  const results = await benchBackpressure(options);
  const table = formatBackpressureTable(results);
  process.stdout.write(`\n${table}\n`);
  updateBackpressureReadme(table, results.date);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, dir: { type: 'string' } } });
  await runBackpressureBench({ runs: values.runs === undefined ? undefined : Number(values.runs), dir: values.dir });
}
