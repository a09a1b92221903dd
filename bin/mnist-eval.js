#!/usr/bin/env node
// Runs the bundled CLI (dist/bundle/mnist-eval.js and the chunks beside it, built by `npm install` /
// `npm run build:cli`): a few modules to load, so the process starts in little more than the time
// of `node -e 0`. Where the bundle is missing, or older than a source file of this checkout, the
// TypeScript sources run through tsx instead, which takes about a second longer to start.
import { existsSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import module from 'node:module';

// V8's compile cache (Node 22.1 and later; Node 20 has no such API): a second run reads the bundle's
// compiled code from os.tmpdir()/node-compile-cache instead of compiling it again. Node itself
// carries on without it where the folder cannot be written, or under NODE_DISABLE_COMPILE_CACHE=1.
module.enableCompileCache?.();

const bundle = new URL('../dist/bundle/mnist-eval.js', import.meta.url);

/** The newest modification time of the .ts files under `dir` (0 when there is no such folder, as in an installed package). */
async function newestSource(dir) {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return 0;
  }
  const times = await Promise.all(
    entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map(async (entry) => (await stat(`${entry.parentPath ?? entry.path}/${entry.name}`)).mtimeMs),
  );
  return Math.max(0, ...times);
}

let cli;
if (existsSync(bundle)) {
  // A checkout's sources (some 170 files) are statted on libuv's threads while this thread parses
  // the bundle, rather than one after the other; an installed package has none. A stale bundle's
  // failure to load is no error: the sources run instead.
  const built = statSync(bundle).mtimeMs;
  const newest = Promise.all([newestSource(new URL('../src', import.meta.url)), newestSource(new URL('../pipelines', import.meta.url))]);
  const loaded = import(bundle.href).then((module) => ({ module }), (error) => ({ error }));
  const fresh = built >= Math.max(...(await newest));
  const { module, error } = await loaded;
  if (fresh && error !== undefined) throw error;
  if (fresh) cli = module;
}
if (cli === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
