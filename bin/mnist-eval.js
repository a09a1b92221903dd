#!/usr/bin/env node
// Runs the bundled CLI (dist/bundle/mnist-eval.js and the chunks beside it, built by `npm install` /
// `npm run build:cli`): a few modules to load, so the process starts in little more than the time
// of `node -e 0`. Where the bundle is missing, or older than a source file of this checkout, the
// TypeScript sources run through tsx instead, which takes about a second longer to start.
import { existsSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * V8's compile cache (Node 22.1 and later; Node 20 has no such API): a second run reads the bundle's
 * compiled code from os.tmpdir()/node-compile-cache instead of compiling it again. Node carries on
 * without it where the folder cannot be written, and skips it under NODE_DISABLE_COMPILE_CACHE=1
 * (NODE_COMPILE_CACHE set, Node enabled it before this file ran). The folder is made here, one level
 * and a real directory, because Node's own recursive mkdir never returns where mkdir in an existing
 * folder fails with ENOENT (TMPDIR=/proc/…, Node 22 and 24): then there is no cache, and no hang.
 */
function enableCompileCache() {
  if (module.enableCompileCache === undefined || process.env.NODE_COMPILE_CACHE !== undefined || process.env.NODE_DISABLE_COMPILE_CACHE !== undefined) return;
  const dir = join(tmpdir(), 'node-compile-cache');
  try {
    mkdirSync(dir);
  } catch (error) {
    if (error.code !== 'EEXIST') return;
  }
  try {
    if (lstatSync(dir).isDirectory()) module.enableCompileCache(dir);
  } catch {
    // gone since: no cache
  }
}
enableCompileCache();

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
