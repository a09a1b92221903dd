/**
 * What a README command is checked for once it has exited 0: what its `#` comment states (files it
 * names exist, numbers it gives appear in the output), and what its options say it writes (the
 * report, with the total of images the command asks for; the mosaic and its sidecar, as the
 * report names them; --html, --predictions, --charts; a generated pair with --count images). A
 * merge must give exactly the counts and errors of one run over the same images, and its
 * predictions CSV byte for byte.
 */
import type { ExecutionContext } from 'ava';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readIdxHeaderOf } from '../../src/sources/mnist.js';
import { flag } from './markdown.js';
import { explain, type Exit } from './processes.js';

/** The files (`dir/name.ext`) and the four-decimal numbers (`0.9352`) a comment states. */
export function claimsOf(comment: string): { files: string[]; numbers: string[] } {
  const files = [...comment.matchAll(/(?<![\w/.-])((?:[\w.-]+\/)+[\w.-]+\.(?:png|json|csv|html|svg|gz))\b/g)].map((m) => m[1]);
  const numbers = [...comment.matchAll(/(?<![\w.])(\d\.\d{4})(?![\d.])/g)].map((m) => m[1]);
  return { files, numbers };
}

export function checkClaims(t: ExecutionContext, exit: Exit, comment: string, cwd: string): void {
  const { files, numbers } = claimsOf(comment);
  for (const file of files) t.true(existsSync(join(cwd, file)), `${file} (named in the comment "# ${comment}") was not written by \`${exit.command}\``);
  for (const number of numbers) t.true(exit.stdout.includes(number), `${number} (stated in the comment "# ${comment}") is not in the output of \`${exit.command}\`:\n${exit.stdout}`);
  if (files.length + numbers.length > 0) t.log(`  as its comment says: ${[...numbers.map((n) => `${n} printed`), ...files.map((f) => `${f} written`)].join(', ')}`);
}

export interface ReportLike {
  readonly total: number;
  readonly mosaic?: Record<string, unknown> | null;
  readonly shard?: { readonly index: number; readonly count: number } | null;
  readonly [key: string]: unknown;
}

export async function readReport(t: ExecutionContext, path: string, cwd: string, by: string): Promise<ReportLike | undefined> {
  const file = join(cwd, path);
  if (!existsSync(file)) {
    t.fail(`${path}: the report of \`${by}\` was not written`);
    return undefined;
  }
  return JSON.parse(await readFile(file, 'utf8')) as ReportLike;
}

/** The fields a merge must share with a single run over the same images (the README's list). */
export const MERGED_FIELDS = ['accuracy', 'correct', 'total', 'confusion', 'perClass', 'errors'] as const;

/** A single run over big-images.gz: its report and its predictions CSV. */
export interface Reference {
  readonly report: ReportLike;
  readonly predictions: string;
}

export interface Context {
  readonly cwd: string;
  /** The whole command line the words come from (a pipe's source names the images). */
  readonly command: string;
  /** Images in big-images.gz. */
  readonly bigCount: number;
  /** The report of one run over big-images.gz, which every merge in the README joins shards of. */
  readonly reference: () => Promise<Reference>;
}

/** Checks the outcome of `mnist-eval ...args`, which has exited 0. */
export async function checkMnistEval(t: ExecutionContext, args: readonly string[], exit: Exit, context: Context): Promise<void> {
  const { cwd } = context;
  if (args.includes('--help') || args.includes('--version')) {
    t.not(exit.stdout.trim(), '', `\`${exit.command}\` printed nothing`);
    return;
  }
  const command = args[0] !== undefined && !args[0].startsWith('-') ? args[0] : 'evaluate';
  if (command === 'generate') return checkGenerated(t, args, cwd, exit.command);
  if (command !== 'evaluate' && command !== 'merge') {
    t.fail(`\`mnist-eval ${command}\` is a subcommand the harness does not know how to check; teach test/readme/checks.ts`);
    return;
  }
  const report = args.includes('--json')
    ? (JSON.parse(exit.stdout) as ReportLike)
    : await readReport(t, flag(args, '--report') ?? 'out/report.json', cwd, exit.command);
  if (report === undefined) return;
  if (command === 'merge') {
    const reference = await context.reference();
    for (const field of MERGED_FIELDS) t.deepEqual(report[field], reference.report[field], `the merged ${field} differs from one run over big-images.gz (\`${exit.command}\`)`);
    const predictions = flag(args, '--predictions');
    if (predictions !== undefined && existsSync(join(cwd, predictions))) {
      t.true((await readFile(join(cwd, predictions), 'utf8')) === reference.predictions, `${predictions} differs from the predictions CSV of one run over big-images.gz (\`${exit.command}\`)`);
    }
    t.log(`  the same ${MERGED_FIELDS.join(', ')}${predictions === undefined ? '' : ' and predictions CSV'} as one run over big-images.gz`);
  } else {
    const total = expectedTotal(args, context);
    if (total !== undefined) t.is(report.total, total, `\`${exit.command}\` evaluated ${report.total} images, expected ${total}`);
  }
  if (report.mosaic !== null && report.mosaic !== undefined) {
    for (const value of Object.values(report.mosaic)) {
      if (typeof value === 'string' && /\.(png|json)$/.test(value)) t.true(existsSync(join(cwd, value)), `${value} (in the report's mosaic) was not written by \`${exit.command}\``);
    }
  }
  for (const option of ['--mosaic', '--html', '--predictions']) {
    const path = flag(args, option);
    if (path !== undefined) t.true(existsSync(join(cwd, path)) && statSync(join(cwd, path)).size > 0, `${path} (${option}) was not written by \`${exit.command}\``);
  }
  const charts = flag(args, '--charts');
  if (charts !== undefined) t.true(existsSync(join(cwd, charts)) && readdirSync(join(cwd, charts)).length > 0, `${charts} (--charts) is empty after \`${exit.command}\``);
}

const DATASET_SIZES: Readonly<Record<string, number | undefined>> = { 'mnist-test': 10_000, 'mnist-train': 60_000 };

/** The images a run without --shard must report: those of its file (big-images.gz, or the named dataset), offset and limited. */
function expectedTotal(args: readonly string[], { command, bigCount }: Context): number | undefined {
  if (flag(args, '--shard') !== undefined || flag(args, '--shard-count') !== undefined) return undefined;
  const images = flag(args, '--images');
  const dataset = flag(args, '--dataset') ?? 'mnist-test';
  const size = command.includes('big-images.gz') ? bigCount : images !== undefined ? undefined : DATASET_SIZES[dataset];
  if (size === undefined) return undefined;
  const offset = Number(flag(args, '--offset') ?? 0);
  const limit = Number(flag(args, '--limit') ?? Infinity);
  return Math.min(size - offset, limit);
}

/** A generator run (`mnist-eval generate` or the script) wrote one IDX pair of --count images into --out-dir. */
export async function checkGenerated(t: ExecutionContext, args: readonly string[], cwd: string, by: string): Promise<void> {
  const outDir = flag(args, '--out-dir') ?? 'out/generated';
  const dir = join(cwd, outDir);
  if (!existsSync(dir)) {
    t.fail(`${outDir}: the output folder of \`${by}\` was not made (it exited 0)`);
    return;
  }
  const files = readdirSync(dir);
  const images = files.filter((name) => /images.*\.gz$/.test(name));
  const labels = files.filter((name) => /labels.*\.gz$/.test(name));
  t.is(images.length, 1, `one images file expected in ${dir}, found ${files.join(', ')}`);
  t.is(labels.length, 1, `one labels file expected in ${dir}, found ${files.join(', ')}`);
  const count = flag(args, '--count');
  if (images.length === 1 && count !== undefined) {
    const header = await readIdxHeaderOf(join(dir, images[0]), 'images');
    t.is(header.dims[0], Number(count), `${images[0]} holds ${header.dims[0]} images, expected --count ${count}`);
  }
}

/** Asserts exit 0, with the stderr that explains a failure. */
export function succeeded(t: ExecutionContext, exit: Exit): boolean {
  t.is(exit.code, 0, explain(exit));
  return exit.code === 0;
}
