/** argv of `mnist-eval generate` → the generator's options, every value checked (a bad one is a usage error). */
import { UsageError } from '../errors.js';
import { COMMON_FLAGS, parseArgv, requirePaths } from './parse-argv.js';
import type { GenerateRunOptions } from '../../pipelines/generate-dataset.js';

export const GENERATE_USAGE = `usage: mnist-eval generate --count N [options]

Writes an IDX dataset of N images and their labels (gzip) made from a base set, the MNIST test
set by default, by deterministic augmentation: image i is base image i mod (the base's size),
one in ten shifted by a pixel or two, all with noise on the stroke, drawn from a generator seeded
by (seed, i) alone, so the same seed gives the same bytes. A progress bar shows on a terminal.

  --count N          images to generate, 1 … 4294967295 (1_000_000 is allowed)
  --out-dir DIR      where to write (default out/generated)
  --name NAME        files NAME-images-idx3-ubyte.gz and NAME-labels-idx1-ubyte.gz
                     (default gen-N-seedS)
  --seed S           augmentation seed, 0 … 4294967295 (default 1)
  --images PATH      base images (default: the MNIST test set); give --labels with it
  --labels PATH      base labels
  --shift-rate F     fraction of the images shifted, 0 … 1 (default 0.1)
  --max-shift N      largest shift in pixels along each axis, 0 … 255 (default 2)
  --noise N          largest change of a stroke pixel, ±, 0 … 255 (default 8)
  --level N          gzip level, 1 … 9 (default 6)
  --quiet            no progress bar and no log line on stderr
  --debug            stack traces of errors
  --help             this text

Exit status: 0 on success, 1 for a bad input file or an output folder that cannot be written,
2 for wrong usage, 130 when interrupted (nothing is left behind).
`;

/** The generator's options, and the command line's own flags. */
export interface GenerateCliOptions extends GenerateRunOptions {
  readonly help: boolean;
  readonly quiet: boolean;
  readonly debug: boolean;
}

const FLAGS = {
  count: { type: 'string' }, 'out-dir': { type: 'string' }, name: { type: 'string' }, seed: { type: 'string' },
  images: { type: 'string' }, labels: { type: 'string' }, 'shift-rate': { type: 'string' }, 'max-shift': { type: 'string' },
  noise: { type: 'string' }, level: { type: 'string' },
  quiet: COMMON_FLAGS.quiet, debug: COMMON_FLAGS.debug, help: COMMON_FLAGS.help,
} as const;

/** Options of `mnist-eval generate`, from the arguments after `generate`. */
export function parseGenerateOptions(argv: readonly string[]): GenerateCliOptions {
  const v = parseArgv(argv, FLAGS, false, 'generate: ').values;
  const help = v.help ?? false;
  const flags = { help, quiet: v.quiet ?? false, debug: v.debug ?? false };
  if (help) return { ...flags, count: 0, outDir: '', seed: 1 };
  requirePaths(v, ['out-dir', 'images', 'labels'], 'generate: ');
  if (v.count === undefined) throw new UsageError('generate: --count N is required (the number of images to write)');
  if ((v.images === undefined) !== (v.labels === undefined)) {
    throw new UsageError(`generate: --images and --labels go together, expected both (a base set and its labels) or neither, got only --${v.images === undefined ? 'labels' : 'images'}`);
  }
  if (v.name !== undefined && !/^[\w.-]+$/.test(v.name)) throw new UsageError(`generate: --name must be a file name prefix of letters, digits, '.', '_' or '-', got '${v.name}'`);
  const count = wholeNumber('count', v.count, 1, 0xffffffff);
  const seed = v.seed === undefined ? 1 : wholeNumber('seed', v.seed, 0, 0xffffffff);
  return {
    ...flags,
    count,
    seed,
    outDir: v['out-dir'] ?? 'out/generated',
    name: v.name,
    images: v.images,
    labels: v.labels,
    shiftRate: v['shift-rate'] === undefined ? undefined : fraction('shift-rate', v['shift-rate']),
    maxShift: v['max-shift'] === undefined ? undefined : wholeNumber('max-shift', v['max-shift'], 0, 255),
    noise: v.noise === undefined ? undefined : wholeNumber('noise', v.noise, 0, 255),
    level: v.level === undefined ? undefined : wholeNumber('level', v.level, 1, 9),
  };
}

/** A whole number in min..max, digits with optional `_` between them (`1_000_000`). */
function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+(_\d+)*$/.test(text) ? Number(text.replace(/_/g, '')) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`generate: --${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
  return n;
}

/** A decimal number in 0..1. */
function fraction(flag: string, text: string): number {
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 1)) throw new UsageError(`generate: --${flag} must be a number from 0 to 1, got '${text}'`);
  return n;
}
