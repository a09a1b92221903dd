/**
 * The package as a user gets it: the project is packed (`npm pack`, which runs `prepare`, in a copy
 * of the work tree, so the build starts from no dist/ and never rewrites the dist/ that the other
 * tests run), the tarball is installed into an empty folder from the npm cache alone, and from there
 * the bin, a short evaluation and the README's library example (type-checked against the shipped
 * .d.ts) must work.
 *
 * Offline, npm can install only what a lock file names: `npm ci` fills the cache with the locked
 * tarballs, not with the registry's package documents that resolving version ranges needs. So the
 * empty folder gets a package-lock.json made of the project's own (its non-dev entries) before
 * `npm install --offline <tgz>`, exactly the versions the project's tests run with.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DATA_DIR, FORMATS_DIR, needsData, ROOT, SAMPLE_WEIGHT } from '../helpers/data-dir.js';

needsData(test);

const run = promisify(execFile);

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

interface LockEntry {
  dev?: boolean;
  [key: string]: unknown;
}

/**
 * The environment of a child npm: without the npm_* variables of the `npm test` around us
 * (npm_config_local_prefix would send the child npm to the project's folder), but with the
 * cache, registry and config files the outer npm was told to use.
 */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|cafile)$/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.test(key)));
  return { ...env, ...extra };
}

const exec = (file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = childEnv()) =>
  run(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });

/** The work tree's files as git sees them (tracked, and new ones not ignored), copied to `to`; node_modules linked. */
async function copyWorkTree(to: string): Promise<void> {
  const { stdout } = await exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT);
  for (const file of new Set(stdout.split('\0').filter((file) => file !== ''))) {
    const from = join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the work tree, not yet in git
    mkdirSync(join(to, file, '..'), { recursive: true });
    cpSync(from, join(to, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(to, 'node_modules'), 'dir');
}

/** package.json and package-lock.json of an app that depends on the tarball only. */
function writeApp(app: string, tarball: string): void {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; bin: unknown; engines: unknown };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${tarball}`;
  const locked = Object.entries(lock.packages).filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { 'mnist-eval': spec } }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({
    name: 'app',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', dependencies: { 'mnist-eval': spec } },
      'node_modules/mnist-eval': { version: pkg.version, resolved: spec, hasInstallScript: true, license: 'MIT', dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
      ...Object.fromEntries(locked),
    },
  }, null, 2));
}

/** The README's "Library" example, as the README has it now. */
function readmeLibraryExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'));
  const example = /```ts\n([\s\S]*?)```/.exec(section);
  if (example === null) throw new Error('README.md: no ```ts block in the "Library" section');
  return example[1];
}

/** The same evaluation on the first 1,000 images with each kernel and kind of thread, from the installed library. */
const THREADS_EXAMPLE = `import { lastValueFrom, take } from 'rxjs';
import { evaluation$, inferMlp, loadWeights, readSamples$, type ForwardRequest } from 'mnist-eval';

const { arrays } = await loadWeights('sample_weight.pkl');
const network = inferMlp(arrays, 'sample_weight.pkl', { inputSize: 784 });
const forwards: ForwardRequest[] = [
  { kernel: 'js', workers: 0 }, { kernel: 'wasm', workers: 0 }, { kernel: 'wasm', workers: 0, threads: 2 }, { kernel: 'wasm', workers: 1 },
];
for (const forward of forwards) {
  const samples$ = readSamples$('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz').pipe(take(1000));
  const { evaluation } = await lastValueFrom(evaluation$(samples$, network, { ...forward, batchSize: 100, normalize: true, mosaicCap: 10 }));
  console.log(JSON.stringify(forward), evaluation.correct, evaluation.total);
}
`;

/** Files a user needs: each of these must be in the tarball. */
const REQUIRED = [
  'package.json', 'README.md', 'LICENSE', 'ARCHITECTURE.md', 'data/README.md', 'bin/mnist-eval.js', 'scripts/postinstall.mjs',
  'dist/kernels.wasm', 'dist/kernels-relaxed.wasm', 'dist/convnet.wasm', 'src/weights/onnx/LICENSE', 'dist/bundle/mnist-eval.js', 'dist/bundle/forward-worker.js', 'dist/bundle/kernel-helper.js',
  'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/workers/forward-worker.js', 'dist/src/workers/kernel-helper.js',
  'dist/pipelines/evaluate.js', 'dist/scripts/prepare-data.js',
  'examples/slurm/evaluate.sbatch', 'examples/kubernetes/indexed-job.yaml',
];

/** Everything in the tarball must match one of these. */
const ALLOWED = /^(package\.json|README\.md|LICENSE|ARCHITECTURE\.md|data\/README\.md|bin\/mnist-eval\.js|scripts\/postinstall\.mjs|dist\/(kernels(-relaxed)?|convnet)\.wasm|src\/weights\/onnx\/LICENSE|dist\/bundle\/[\w-]+\.js|dist\/(src|pipelines)\/[\w/-]+\.(js|d\.ts)|dist\/scripts\/prepare-data\.js|examples\/slurm\/evaluate\.sbatch|examples\/kubernetes\/indexed-job\.yaml)$/;

test('the packed tarball installs offline into an empty folder, and its bin, data and library work there', async (t) => {
  const started = Date.now();
  const lap = (what: string) => t.log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const tmp = mkdtempSync(join(tmpdir(), 'mnist-eval-pack-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

  // npm pack runs prepare (scripts/build.mjs) in a copy of the work tree.
  const tree = join(tmp, 'tree');
  await copyWorkTree(tree);
  const { stdout: packed } = await exec('npm', ['pack', '--json', '--pack-destination', tmp], tree);
  const [pack] = JSON.parse(packed.slice(packed.indexOf('['))) as PackResult[];
  const files = pack.files.map((file) => file.path).sort();
  lap(`packed ${pack.filename}`);
  t.log(`tarball: ${pack.filename}, ${(pack.size / 1024).toFixed(0)} KB packed, ${(pack.unpackedSize / 1024).toFixed(0)} KB unpacked, ${files.length} files`);
  t.deepEqual(REQUIRED.filter((file) => !files.includes(file)), [], 'files a user needs, missing from the tarball');
  t.deepEqual(files.filter((file) => !ALLOWED.test(file)), [], 'files no user needs (tests, benchmarks, CI, sources), in the tarball');
  // The bundle is split at its dynamic imports: every chunk an entry or a chunk imports must be packed.
  const imported = files.filter((file) => file.startsWith('dist/bundle/')).flatMap((file) =>
    [...readFileSync(join(tree, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*["']\.\/([\w-]+\.js)["']/g)].map((match) => `dist/bundle/${match[1]}`));
  t.true(imported.length > 0, 'the bundle imports its chunks');
  t.deepEqual([...new Set(imported)].filter((file) => !files.includes(file)), [], 'chunks the bundle imports, missing from the tarball');
  const dts = new Set(files.filter((file) => file.endsWith('.d.ts')));
  t.deepEqual(files.filter((file) => /^dist\/(src|pipelines)\/.*\.js$/.test(file) && !dts.has(file.replace(/\.js$/, '.d.ts'))), [], '.js modules of the library without their .d.ts');

  // An empty folder, the tarball installed from the npm cache alone.
  const app = join(tmp, 'app');
  mkdirSync(app);
  writeApp(app, join(tmp, pack.filename));
  await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', join(tmp, pack.filename)], app);
  lap('installed');
  const installed = join(app, 'node_modules/mnist-eval');
  t.true(existsSync(join(installed, 'data/t10k-images-idx3-ubyte.gz')) && existsSync(join(installed, 'data/t10k-labels-idx1-ubyte.gz')), 'postinstall wrote the MNIST test set into data/');

  // The bin and the library at once (they share nothing but the installed package).
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const bin = async () => {
    t.is((await exec('npx', ['mnist-eval', '--version'], app)).stdout, `mnist-eval ${version}\n`);
    // A short evaluation, with the data folder of the tests, and again with the package's own data/.
    for (const [env, dir] of [[childEnv({ MNIST_EVAL_DATA_DIR: DATA_DIR }), DATA_DIR], [childEnv({ MNIST_EVAL_DATA_DIR: '' }), join(installed, 'data')]] as const) {
      const report = JSON.parse((await exec('npx', ['mnist-eval', '--limit', '100', '--weights', SAMPLE_WEIGHT, '--json'], app, env)).stdout) as {
        accuracy: number; correct: number; total: number; misclassified: number; inputs: { images: string; labels: string };
        errors: { index: number; label: number; predicted: number }[];
      };
      t.like(report, { accuracy: 0.96, correct: 96, total: 100, misclassified: 4 }, `images from ${dir}`);
      t.deepEqual(report.errors.map(({ index, label, predicted }) => [index, label, predicted]), [[8, 5, 6], [33, 4, 6], [66, 6, 2], [92, 9, 4]]);
      t.deepEqual([report.inputs.images, report.inputs.labels], [join(dir, 't10k-images-idx3-ubyte.gz'), join(dir, 't10k-labels-idx1-ubyte.gz')]);
    }
    // The other frameworks' files from the installed bundle: Keras's HDF5 reader runs in a thread of
    // its own (dist/bundle/hdf5-worker.js), ONNX decodes with the bundled schema.
    for (const file of ['ch03.h5', 'ch03_dynamo.onnx', 'ch03_state_dict.pt']) {
      const report = JSON.parse((await exec('npx', ['mnist-eval', '--limit', '100', '--weights', join(FORMATS_DIR, file), '--json'], app, childEnv({ MNIST_EVAL_DATA_DIR: DATA_DIR }))).stdout) as { correct: number };
      t.is(report.correct, 96, file);
    }
    // The threads the bundle starts (forward-worker.js, kernel-helper.js beside the chunks), a
    // sharded run merged (the merge's chunk) and the HTML report's chunk, from the installed bin.
    const env = childEnv({ MNIST_EVAL_DATA_DIR: DATA_DIR });
    for (const threads of [['--workers', '1'], ['--threads', '2']]) {
      const report = JSON.parse((await exec('npx', ['mnist-eval', '--limit', '100', ...threads, '--json'], app, env)).stdout) as { correct: number };
      t.is(report.correct, 96, threads.join(' '));
    }
    for (const shard of ['0/2', '1/2']) await exec('npx', ['mnist-eval', '--limit', '100', '--shard', shard, '--report', `part-${shard[0]}.json`, '--mosaic', `part-${shard[0]}.png`, '--quiet'], app, env);
    await exec('npx', ['mnist-eval', 'merge', 'part-0.json', 'part-1.json', '--report', 'merged.json', '--mosaic', 'merged.png', '--html', 'merged.html', '--quiet'], app, env);
    t.like(JSON.parse(readFileSync(join(app, 'merged.json'), 'utf8')), { correct: 96, total: 100 });
    t.true(readFileSync(join(app, 'merged.html'), 'utf8').startsWith('<!doctype html>'), 'merge --html wrote the page');
    lap('bin run');
  };

  // The README's library example, and the same with each kernel and thread kind: type-checked
  // (strict, NodeNext, the shipped .d.ts checked too) and compiled by tsc, run by node from the data folder.
  const library = async () => {
    writeFileSync(join(app, 'example.ts'), readmeLibraryExample());
    writeFileSync(join(app, 'threads.ts'), THREADS_EXAMPLE);
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    await exec(process.execPath, [tsc, '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), 'example.ts', 'threads.ts'], app).catch((error: { stdout?: string }) => {
      throw new Error(`tsc over the README's example, against the installed package:\n${error.stdout ?? String(error)}`);
    });
    t.is((await exec(process.execPath, [join(app, 'example.js')], DATA_DIR)).stdout, '0.9352\n');
    const threads = (await exec(process.execPath, [join(app, 'threads.js')], DATA_DIR)).stdout.trim().split('\n');
    t.deepEqual(threads.map((line) => line.slice(line.indexOf('} ') + 2)), ['932 1000', '932 1000', '932 1000', '932 1000'], threads.join('\n'));
    lap('library run');
  };
  await Promise.all([bin(), library()]);
});
