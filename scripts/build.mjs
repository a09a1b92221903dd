#!/usr/bin/env node
// Builds what the CLI runs, into dist/ (not committed; `npm install` / `npm ci` run this as `prepare`):
//   dist/kernels.wasm          assembly/kernels.ts compiled by AssemblyScript with SIMD (about 4 KB)
//   dist/bundle/mnist-eval.js  src/cli/main.ts and everything it imports, rxjs included, in one ES module
//   dist/bundle/forward-worker.js  the worker of `--workers N`
//   dist/bundle/kernel-helper.js   a helper thread of the WASM kernel (`--threads N`)
// One file to parse instead of some 400 modules (rxjs alone is ~300) is most of the start-up time saved.
// `node scripts/build.mjs kernels` or `bundle` builds one part; the kernel is rebuilt only when its
// source is newer than the .wasm.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const parts = process.argv.slice(2);
const names = parts.filter((part) => !part.startsWith('--'));
const want = (part) => names.length === 0 || names.includes(part);

async function buildKernels() {
  const source = join(root, 'assembly/kernels.ts');
  const target = join(root, 'dist/kernels.wasm');
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs && !parts.includes('--force')) return;
  mkdirSync(dirname(target), { recursive: true });
  const asc = await import('assemblyscript/asc');
  const { error, stderr } = await asc.main([
    source, '--outFile', target,
    '--enable', 'simd', '--enable', 'threads', '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert', '--runtime', 'stub',
    // The memory comes from JavaScript, shared, so that helper threads can work on the same batch.
    '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '16384',
  ]);
  if (error) {
    process.stderr.write(stderr.toString());
    throw new Error(`assemblyscript: ${error.message}`);
  }
  process.stderr.write(`build: ${target} (${statSync(target).size} bytes)\n`);
}

const rxjsEsm = {
  name: 'rxjs-esm',
  setup(build) {
    build.onResolve({ filter: /^rxjs$/ }, () => ({ path: join(root, 'node_modules/rxjs/dist/esm/index.js') }));
  },
};

async function bundle() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { 'mnist-eval': 'src/cli/main.ts', 'forward-worker': 'src/workers/forward-worker.ts', 'kernel-helper': 'src/workers/kernel-helper.ts' },
    outdir: 'dist/bundle',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Native addons and the big optional chart and browser libraries stay in node_modules,
    // loaded only by the commands that use them.
    external: ['@resvg/resvg-js', 'vega', 'vega-lite', 'playwright-core', 'tsx', 'tsx/*'],
    // CommonJS dependencies (pngjs, pickleparser) call require() for Node's built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // rxjs's package.json sends Node to its CommonJS build, which cannot be tree-shaken and runs
    // every operator's module at start-up: bundle its ES2015 modules instead.
    plugins: [rxjsEsm],
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs).map(([file, { bytes }]) => `${file} (${Math.round(bytes / 1024)} KB)`);
  process.stderr.write(`build: ${outputs.join(', ')}\n`);
}

if (want('kernels')) await buildKernels();
if (want('bundle')) await bundle();
