#!/usr/bin/env node
// Runs the bundled CLI (dist/bundle/mnist-eval.js, built by `npm install` / `npm run build:cli`):
// one module to load, so the process starts in little more than the time of `node -e 0`. Where the
// bundle is missing, or older than a source file of this checkout, the TypeScript sources run
// through tsx instead, which takes about a second longer to start.
import { existsSync, readdirSync, statSync } from 'node:fs';

const bundle = new URL('../dist/bundle/mnist-eval.js', import.meta.url);

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

const fresh = existsSync(bundle) &&
  statSync(bundle).mtimeMs >= Math.max(newestSource(new URL('../src', import.meta.url)), newestSource(new URL('../pipelines', import.meta.url)));

let cli;
if (fresh) {
  cli = await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
