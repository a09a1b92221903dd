import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../outputs/output-set.js';

/**
 * The package's own folder: the nearest folder above this module whose package.json is
 * mnist-eval's. Found by name, not by depth, because the same code runs from src/ (tsx),
 * dist/src/ (tsc) and dist/bundle/ (esbuild), each at another depth.
 */
export function packageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'mnist-eval') return dir;
    } catch {
      // no package.json here, or not JSON: keep looking upwards
    }
    if (dirname(dir) === dir) return join(start, '..', '..');
  }
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The project's `data/` folder, wherever the package is installed. */
export const packageDataDir = join(packageRoot(), 'data');

export const TEST_IMAGES = 't10k-images-idx3-ubyte.gz';
export const TEST_LABELS = 't10k-labels-idx1-ubyte.gz';
export const SAMPLE_WEIGHTS = 'sample_weight.pkl';

/** Where the book's weights come from: its repository, pinned to one commit, checked by sha256. */
export const SAMPLE_WEIGHTS_SOURCE = {
  url: 'https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch/07b11618cdb5d5f78ad45464de0730efc07b0a4a/ch03/sample_weight.pkl',
  sha256: 'b7f55a27988ba34c3777b0f1bbd464817c8a4db855723e6ff26f703501917a13',
  bytes: 181_853,
};

/** Folders searched for default data: `$MNIST_EVAL_DATA_DIR` first, then the package's `data/`. */
export function dataDirs(env: NodeJS.ProcessEnv = process.env, base = packageDataDir): string[] {
  const dirs = env.MNIST_EVAL_DATA_DIR ? [env.MNIST_EVAL_DATA_DIR] : [];
  return [...dirs, base];
}

/** The first folder that holds `name`, or undefined. */
export function findDataFile(name: string, env: NodeJS.ProcessEnv = process.env, base = packageDataDir): string | undefined {
  return dataDirs(env, base).map((dir) => join(dir, name)).find((path) => existsSync(path));
}

export function requireDataFile(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const found = findDataFile(name, env);
  if (found === undefined) {
    throw new InputError(name, `not found in ${dataDirs(env).join(' or ')}; run \`npm install\` (it writes the MNIST test set into data/) or set MNIST_EVAL_DATA_DIR`);
  }
  return found;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The book's `sample_weight.pkl`: found in a data folder, or downloaded once into `data/`
 * and verified against its pinned sha256 before use.
 */
export async function sampleWeights(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void; fetchImpl?: typeof fetch; dataDir?: string } = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const dataDir = options.dataDir ?? packageDataDir;
  const found = findDataFile(SAMPLE_WEIGHTS, env, dataDir);
  if (found !== undefined) return found;
  const target = join(dataDir, SAMPLE_WEIGHTS);
  const where = `put the file (sha256 ${SAMPLE_WEIGHTS_SOURCE.sha256}) at ${target} or in the folder named by MNIST_EVAL_DATA_DIR`;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  log(`downloading ${SAMPLE_WEIGHTS} (${SAMPLE_WEIGHTS_SOURCE.bytes} bytes) from ${SAMPLE_WEIGHTS_SOURCE.url}`);
  let bytes: Uint8Array;
  try {
    const response = await (options.fetchImpl ?? fetch)(SAMPLE_WEIGHTS_SOURCE.url, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new InputError(SAMPLE_WEIGHTS, `missing and could not be downloaded (${(error as Error).message}); ${where}`);
  }
  const digest = sha256(bytes);
  if (digest !== SAMPLE_WEIGHTS_SOURCE.sha256) {
    throw new InputError(SAMPLE_WEIGHTS, `downloaded file has sha256 ${digest}, expected ${SAMPLE_WEIGHTS_SOURCE.sha256}; ${where}`);
  }
  await writeFileAtomic(target, bytes);
  log(`saved ${target}`);
  return target;
}

export async function fileSha256(path: string): Promise<string> {
  return sha256(await readFile(path));
}
