/**
 * The one place the tests find their data: the MNIST test set (gzip) and the book's weight files.
 * The folder is `$MNIST_EVAL_DATA_DIR` when it is set, else `../shared/data` beside the project
 * (found from this file, not from the working directory). Everything else in test/ (the Python
 * reference scripts included, which take the paths as arguments) gets its paths from here.
 *
 * When the folder is missing, the tests that need it fail with one line naming the variable:
 * a whole file with `needsData(test)`, a single test with `test(title, withData(impl))`.
 */
import type { ExecutionContext, TestFn } from 'ava';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder, wherever the tests are run from. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const fromEnv = process.env.MNIST_EVAL_DATA_DIR || undefined;

/** The data folder of the tests: absolute, whether or not it exists. */
/** Where the data are without MNIST_EVAL_DATA_DIR: beside the project, as CI lays it out. */
export const DEFAULT_DATA_DIR = resolve(ROOT, '../shared/data');
export const DATA_DIR = fromEnv === undefined ? DEFAULT_DATA_DIR : resolve(fromEnv);

export const SAMPLE_WEIGHT = join(DATA_DIR, 'sample_weight.pkl');
/** The framework-written model files (torch, ONNX, Keras, safetensors) and their expected predictions. */
export const FORMATS_DIR = join(DATA_DIR, 'formats');
export const SIMPLE_CONVNET = join(DATA_DIR, 'simple_convnet_params.pkl');
export const IMAGES_GZ = join(DATA_DIR, 't10k-images-idx3-ubyte.gz');
export const LABELS_GZ = join(DATA_DIR, 't10k-labels-idx1-ubyte.gz');

const DATA_FILES = [SAMPLE_WEIGHT, SIMPLE_CONVNET, IMAGES_GZ, LABELS_GZ];

/** Why the tests that need the data cannot run, in one line; undefined when every file is there. */
export const dataMissing: string | undefined = (() => {
  const where = fromEnv === undefined ? `${DATA_DIR} (../shared/data beside the project, as MNIST_EVAL_DATA_DIR is not set)` : `${DATA_DIR} (MNIST_EVAL_DATA_DIR)`;
  if (!existsSync(DATA_DIR)) return `no test data: ${where} does not exist; set MNIST_EVAL_DATA_DIR to the folder of sample_weight.pkl, simple_convnet_params.pkl and t10k-*-ubyte.gz`;
  const absent = DATA_FILES.filter((path) => !existsSync(path)).map((path) => path.slice(DATA_DIR.length + 1));
  if (absent.length > 0) return `no test data: ${where} lacks ${absent.join(', ')}; set MNIST_EVAL_DATA_DIR to the folder that holds them`;
  return undefined;
})();

/** Fails every test of the file with `dataMissing` (one failed hook) when the data are missing. */
export function needsData(test: TestFn): void {
  if (dataMissing !== undefined) test.before(failForMissingData);
}

/** One test's implementation, or a failure with `dataMissing` when the data are missing. */
export function withData(impl: (t: ExecutionContext) => PromiseLike<void> | void): (t: ExecutionContext) => PromiseLike<void> | void {
  return dataMissing === undefined ? impl : failForMissingData;
}

/**
 * `t.fail(dataMissing)` without a stack trace: ava prints the stack of a failure that does not
 * come from the test file itself (here, ava's own frames), which would bury the one line that
 * matters. The assertion's stack is captured as it is made, so an empty trace while it is made
 * leaves just the message.
 */
function failForMissingData(t: ExecutionContext): void {
  const prepare = Error.prepareStackTrace;
  Error.prepareStackTrace = () => '';
  try {
    t.fail(dataMissing);
  } finally {
    Error.prepareStackTrace = prepare;
  }
}

/**
 * One line on stderr saying where the data come from, once per run of ava: each test file runs
 * in its own process, all children of ava's, so the first to create the marker named after that
 * parent prints it. Markers of runs that have ended are removed on the way.
 */
function announceOnce(): void {
  const markers = join(tmpdir(), 'mnist-eval-test-data');
  try {
    mkdirSync(markers, { recursive: true });
    writeFileSync(join(markers, String(process.ppid)), '', { flag: 'wx' });
  } catch {
    return; // another test file of this run has said it (or the temp folder is not writable)
  }
  for (const name of readdirSync(markers)) {
    if (name !== String(process.ppid) && !alive(Number(name))) rmSync(join(markers, name), { force: true });
  }
  console.error(dataMissing ?? `test data: ${DATA_DIR} (${fromEnv === undefined ? '../shared/data beside the project; set MNIST_EVAL_DATA_DIR to use another folder' : 'from MNIST_EVAL_DATA_DIR'})`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

announceOnce();
