#!/usr/bin/env node
// Builds everything the package runs, into dist/ (not committed; `npm install`, `npm ci` and
// `npm pack` run this as `prepare`, so a git or tarball install has it):
//   dist/kernels.wasm          assembly/kernels.ts compiled by AssemblyScript with SIMD (about 5 KB)
//   dist/kernels-relaxed.wasm  the same with relaxed SIMD (fused multiply-add), for the Nodes that compile it
//   dist/convnet.wasm          assembly/convnet.ts, the float64 convnet kernel (`kernels` or `convnet`)
//   dist/bundle/mnist-eval.js  src/cli/main.ts and everything it imports, rxjs included, as ES modules: the entry
//                              and the chunks beside it that each command loads (run-evaluation-*.js, chunk-*.js, …)
//   dist/bundle/forward-worker.js  the worker of `--workers N`
//   dist/bundle/kernel-helper.js   a helper thread of the WASM kernel (`--threads N`)
//   dist/bundle/hdf5-worker.js     the thread that reads a Keras HDF5 file, under a heap limit and a deadline
//   dist/src/, dist/pipelines/ the library (`import … from 'mnist-eval'`): tsc over tsconfig.build.json,
//                              .js and .d.ts, workers beside their pool as the library spawns them
//   dist/scripts/prepare-data.js   the postinstall step of an installed package (no tsx there)
// A few bundled files to parse instead of some 400 modules (rxjs alone is ~300) is most of the CLI's start-up time saved.
// `node scripts/build.mjs kernels`, `bundle` or `library` builds one part; the kernel is rebuilt only
// when its source is newer than the .wasm. `--metafile` also writes esbuild's account of what each
// bundle file holds to dist/bundle-metafile.json (not packed), to see what a run loads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const parts = process.argv.slice(2);
const names = parts.filter((part) => !part.startsWith('--'));
const want = (part) => names.length === 0 || names.includes(part);

/** The two builds of assembly/: plain 128-bit SIMD, and relaxed SIMD (fused multiply-add) for the Nodes that have it. */
const KERNEL_BUILDS = [
  { file: 'dist/kernels.wasm', features: ['simd', 'threads'] },
  { file: 'dist/kernels-relaxed.wasm', features: ['simd', 'threads', 'relaxed-simd'] },
];

async function buildKernels() {
  const folder = join(root, 'assembly');
  // kernels.ts and the modules it imports (convnet.ts is the other module's).
  const newest = Math.max(...readdirSync(folder).filter((name) => name.endsWith('.ts') && name !== 'convnet.ts').map((name) => statSync(join(folder, name)).mtimeMs));
  for (const { file, features } of KERNEL_BUILDS) {
    const target = join(root, file);
    if (existsSync(target) && statSync(target).mtimeMs >= newest && !parts.includes('--force')) continue;
    mkdirSync(dirname(target), { recursive: true });
    const asc = await import('assemblyscript/asc');
    const { error, stderr } = await asc.main([
      join(folder, 'kernels.ts'), '--outFile', target,
      ...features.flatMap((feature) => ['--enable', feature]), '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert', '--runtime', 'stub',
      // The memory comes from JavaScript, shared, so that helper threads can work on the same batch.
      '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '16384',
    ]);
    if (error) {
      process.stderr.write(stderr.toString());
      throw new Error(`assemblyscript: ${error.message}`);
    }
    process.stderr.write(`build: ${target} (${statSync(target).size} bytes)\n`);
  }
}

/** dist/convnet.wasm: assembly/convnet.ts, the float64 convnet kernel, with SIMD, over an imported (unshared) memory. */
async function buildConvnetKernel() {
  const source = join(root, 'assembly/convnet.ts');
  const target = join(root, 'dist/convnet.wasm');
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs && !parts.includes('--force')) return;
  mkdirSync(dirname(target), { recursive: true });
  const asc = await import('assemblyscript/asc');
  const { error, stderr } = await asc.main([
    source, '--outFile', target,
    '--enable', 'simd', '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert', '--runtime', 'stub', '--importMemory', '--initialMemory', '1',
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

/** The bundle's entries: the CLI and the three threads it starts (each named by src/wasm/worker-url.ts's callers). */
const ENTRY_POINTS = { 'mnist-eval': 'src/cli/main.ts', 'forward-worker': 'src/workers/forward-worker.ts', 'kernel-helper': 'src/workers/kernel-helper.ts', 'hdf5-worker': 'src/weights/keras/hdf5-worker.ts' };
const ENTRIES = Object.keys(ENTRY_POINTS);

async function bundle() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
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
    // Split at the dynamic imports: a default run loads the modules of a run, not zod (the merge's
    // schema), protobufjs (ONNX), jsfive (Keras), the zip reader, the remote sources or the HTML report (bench/README.md,
    // Start-up). The chunks sit beside the entries, so that import.meta.url finds the .wasm files
    // (src/wasm/module.ts) and the workers' entries (src/wasm/worker-url.ts) from any of them.
    splitting: true,
    chunkNames: '[name]-[hash]',
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const folder = join(root, 'dist/bundle');
  mkdirSync(folder, { recursive: true });
  // Each file is written beside its place and renamed over it, so a process starting during a rebuild
  // reads every file whole, old or new; a chunk's name changes with its content, so an old entry's
  // chunks stay until the new ones are all in.
  for (const { path, contents } of result.outputFiles) {
    const staged = `${path}.${process.pid}.tmp`;
    writeFileSync(staged, contents);
    renameSync(staged, path);
  }
  if (parts.includes('--metafile')) writeFileSync(join(root, 'dist/bundle-metafile.json'), JSON.stringify(result.metafile));
  const outputs = Object.entries(result.metafile.outputs);
  const kb = (bytes) => `${Math.round(bytes / 1024)} KB`;
  const entries = outputs.filter(([file]) => ENTRIES.some((entry) => file === `dist/bundle/${entry}.js`));
  const chunks = outputs.filter(([file]) => !entries.some(([entry]) => entry === file));
  process.stderr.write(`build: ${entries.map(([file, { bytes }]) => `${file} (${kb(bytes)})`).join(', ')}, and ${chunks.length} chunks they load (${kb(chunks.reduce((sum, [, { bytes }]) => sum + bytes, 0))})\n`);
  // What an older build left (an older chunk, an entry since renamed) would be packed with the rest:
  // remove it; but not a file another build running now is staging (a .tmp under a minute old).
  const written = new Set(outputs.map(([file]) => file.slice('dist/bundle/'.length)));
  const staging = (name) => name.endsWith('.tmp') && Date.now() - statSync(join(folder, name), { throwIfNoEntry: false })?.mtimeMs < 60_000;
  for (const name of readdirSync(folder)) if (!written.has(name) && !staging(name)) rmSync(join(folder, name), { recursive: true, force: true });
}

/** tsc over tsconfig.build.json into a clean dist/src, dist/pipelines and dist/scripts (no stale modules shipped). */
function buildLibrary() {
  for (const dir of ['src', 'pipelines', 'scripts']) rmSync(join(root, 'dist', dir), { recursive: true, force: true });
  // typescript's exports map hides its bin: find it beside its package.json.
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
  const { status, error } = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (error !== undefined || status !== 0) throw new Error(`tsc -p tsconfig.build.json: ${error?.message ?? `exit status ${status}`}`);
  process.stderr.write(`build: ${join(root, 'dist/src/index.js')} and its .d.ts (tsc)\n`);
}

if (want('kernels')) await buildKernels();
if (want('kernels') || names.includes('convnet')) await buildConvnetKernel();
if (want('bundle')) await bundle();
if (want('library')) buildLibrary();
