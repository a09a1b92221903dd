#!/usr/bin/env node
// Runs the bundled CLI (dist/bundle/mnist-eval.js, built by `npm install` / `npm run build:cli`):
// one module to load, so the process starts in little more than the time of `node -e 0`. Where the
// bundle is missing, or older than a source file of this checkout (checked in ~1 ms), the
// TypeScript sources run through tsx instead, which takes about a second longer to start.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const bundle = new URL('../dist/bundle/mnist-eval.js', import.meta.url);
const argv = process.argv.slice(2);

/** The newest modification time of the .ts files under `dir` (0 when there is no such folder). */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return newest;
}

/**
 * The helper threads the forward pass will want on the main thread (`--threads N`: N − 1): started
 * now, their ~40 ms start overlaps loading the bundle, the weights and the first images, instead
 * of coming after. Unused ones end with the process.
 */
function helpersWanted() {
  const value = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : argv.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  if (argv.includes('--help') || argv.includes('-h') || value('--kernel') === 'js') return 0;
  if (value('--workers') !== undefined && value('--workers') !== '0') return 0;
  const threads = value('--threads') === undefined ? 1 : Number(value('--threads'));
  return Number.isInteger(threads) ? Math.max(0, Math.min(threads, 64) - 1) : 0;
}

/**
 * The forward worker of a default run on a large input (no --workers: one worker beside the main
 * thread from 20,000 images), started now for the same reason. Only for inputs named on the
 * command line: the default test set (10,000 images) runs on the main thread. A run that does not
 * use the worker just ends it.
 */
function forwardWorkersWanted() {
  const has = (name) => argv.some((arg) => arg === name || arg.startsWith(`${name}=`));
  if (argv.includes('--help') || argv.includes('-h') || has('--workers')) return 0;
  return has('--images') || has('--dataset') ? 1 : 0;
}

const fresh = existsSync(bundle) &&
  statSync(bundle).mtimeMs >= Math.max(newestSource(new URL('../src', import.meta.url)), newestSource(new URL('../pipelines', import.meta.url)));

let main;
if (fresh) {
  const start = (count, file) => Array.from({ length: count }, () => {
    const worker = new Worker(new URL(`../dist/bundle/${file}`, import.meta.url), { execArgv: [] });
    worker.unref();
    return worker;
  });
  const workers = start(forwardWorkersWanted(), 'forward-worker.js');
  const helpers = start(helpersWanted(), 'kernel-helper.js');
  const cli = await import(bundle.href);
  cli.adoptForwardWorkers(workers);
  cli.adoptKernelHelpers(helpers);
  main = cli.main;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(argv);
