/**
 * `npm run bench`: mnist-eval against its peers, side by side in one sitting, as ratios, on the
 * machine's Node and on Node 24 (bench/node-versions.ts): one table per Node version
 * (bench/cli-figures.ts: warm forward passes against numpy and onnxruntime-node, whole runs
 * against numpy's script, onnxruntime-node's and the book's numpy convnets, where the time goes),
 * then the worker scaling on the machine's Node (bench/scaling.ts). Writes bench/results.json and
 * the tables into bench/README.md between its markers; then runs bench/large.ts (1M images, peak
 * memory, backpressure), which writes its own. Nothing here is asserted by `npm test`.
 *
 *     npx tsx bench/run.ts [--runs N] [--quick]
 *
 * --runs N: whole runs per line (default 9; 3 with --quick). --quick: fewer warm passes, the
 * convnets once on smaller subsets, no training-set CLI runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeFigures } from './cli-figures.js';
import { DATA, IMAGES_GZ, LABELS_GZ, NUMPY_SCRIPT, numpyEnv, ROOT, WEIGHTS } from './measure.js';
import { nodeBinaries } from './node-versions.js';
import { updateReadmeSection } from './readme-section.js';
import { workerScaling } from './scaling.js';
import { formatTables, type Results } from './table.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const QUICK = args.quick!;
const RUNS = Number(args.runs ?? (QUICK ? 3 : 9));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'mnist-eval-bench-'));
  try {
    // The ch. 8 weights of the tests (fixed random values): the book's trained file is not in the data folder.
    execFileSync('python3', [join(ROOT, 'test/fixtures/make-models.py'), out], { stdio: 'ignore' });
    const numpyInfo = JSON.parse(execFileSync('python3', [NUMPY_SCRIPT, IMAGES_GZ, LABELS_GZ, WEIGHTS, '--blas'], { env: numpyEnv() }).toString());
    const onnxruntime = JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version as string;
    const nodes = [];
    for (const node of nodeBinaries()) nodes.push(await nodeFigures(node, { runs: RUNS, quick: QUICK, out, deepConvnetWeights: join(out, 'deep-convnet.pkl'), log }));
    const scaling = await workerScaling(RUNS, log);
    const results: Results = {
      date: new Date().toISOString(),
      quick: QUICK,
      runs: RUNS,
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, numpy: numpyInfo.numpy, blas: numpyInfo.blas, onnxruntime },
      nodes,
      scaling,
    };
    writeFileSync(join(ROOT, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
    const tables = formatTables(results);
    process.stdout.write(tables + '\n');
    updateReadmeSection('bench', tables, results.date, `npm run bench${QUICK ? ' -- --quick' : ''}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  // The large runs and the backpressure figures, in their own process (their peak memory is measured per child).
  log('bench: large runs (bench/large.ts)');
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/large.ts'), ...(QUICK ? ['--quick'] : [])], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, MNIST_EVAL_DATA_DIR: DATA } });
}

await main();
