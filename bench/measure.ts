/**
 * What every part of `npm run bench` shares: the paths, the median-and-minimum of a set of runs,
 * a command timed from spawn to exit, numpy's environment, and a bundle fresh before timing it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const DATA = process.env.MNIST_EVAL_DATA_DIR ?? resolve(ROOT, '../shared/data');
export const IMAGES_GZ = join(DATA, 't10k-images-idx3-ubyte.gz');
export const LABELS_GZ = join(DATA, 't10k-labels-idx1-ubyte.gz');
export const WEIGHTS = join(DATA, 'sample_weight.pkl');
/** The ch. 3 network as ONNX (torch's legacy exporter), run by both mnist-eval and onnxruntime-node. */
export const ONNX_MODEL = join(DATA, 'formats/ch03_legacy.onnx');
export const SIMPLE_CONVNET = join(DATA, 'simple_convnet_params.pkl');
export const BIN = resolve(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['mnist-eval']);
export const NUMPY_SCRIPT = join(ROOT, 'bench/numpy_mnist.py');
export const ONNXRUNTIME_PEER = join(ROOT, 'bench/onnxruntime-peer.mjs');
export const CONVNET_REFERENCE = join(ROOT, 'test/reference/convnet_reference.py');

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly runs: number[];
}

export const stat = (runs: number[]): Stat => {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], runs };
};

/** The environment of the numpy commands: the machine's, less the two OpenBLAS overrides that slow a current numpy. */
export const numpyEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env = { ...process.env, ...extra };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
};

/** The newest .ts file under src/ and pipelines/ (what bin/mnist-eval.js checks the bundle against). */
function newestSource(): number {
  let newest = 0;
  for (const dir of ['src', 'pipelines']) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * Rebuilds the bundle if a source changed since it was built, so that every timed run of the bin
 * runs the bundle (the bin falls back to tsx for a stale one). Not timed.
 */
export function freshBundle(): void {
  const bundle = join(ROOT, 'dist/bundle/mnist-eval.js');
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource()) execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'bundle'], { stdio: 'ignore' });
}

export interface Timed {
  readonly ms: number;
  readonly stdout: string;
}

/**
 * Runs a command to its end; resolves with its wall time in ms and its stdout. A failure is tried
 * once more (in a shared work tree a source can be caught half-saved by the bundler): the retry
 * rebuilds the bundle first.
 */
export async function timed(command: string, argv: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Timed> {
  try {
    return await timedOnce(command, argv, options);
  } catch {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 2000));
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'bundle'], { stdio: 'ignore' });
    return timedOnce(command, argv, options);
  }
}

function timedOnce(command: string, argv: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string }): Promise<Timed> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${command} ${argv.join(' ')} exited with ${code}: ${stderr.trim()}`));
      else resolvePromise({ ms, stdout });
    });
  });
}

/** The last line of a command's stdout, parsed as JSON (the bench's scripts print their results last). */
export const lastJson = <T>(stdout: string): T => JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
