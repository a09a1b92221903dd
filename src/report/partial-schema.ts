/**
 * The shape of a shard's partial report, as `mnist-eval merge` accepts it: a zod schema of every
 * field merge reads or passes on, with the bounds a run itself keeps (classes, image size, the
 * mosaic's cap and scale, the batch size). What the shape cannot say (sums, ranges, order, tiles
 * against errors) is checked after it, in validate-partial.ts.
 *
 * Trusted, after those checks: the counts (`total`, `correct`, `misclassified`, `confusion`), the
 * error list, the tiles (the mosaic's and the cells') and `shard`; passed on as they are: `inputs`, `model`, `forward`,
 * `normalize`, `batchSize`, `range`, `predictions`. Not trusted and made anew by the merge:
 * `accuracy`, `perClass`, `mosaic`, `timing.totalMs`; so their shape is not checked. `classes`, when present,
 * is checked as a run's `--classes` is (one line each, none empty or twice, one for each class).
 */
import { z } from 'zod';
import { MAX_MOSAIC_CAP, MAX_MOSAIC_SCALE } from '../mosaic/mosaic-limits.js';
import { MAX_BATCH_SIZE, MAX_THREADS, MAX_WORKERS } from '../operators/forward-plan.js';
import { MAX_RECORD_BYTES } from '../sources/idx.js';
import { WEIGHT_FORMATS } from '../types.js';
import { MAX_CLASS_NAME_CHARS } from '../datasets/class-names.js';
import { MAX_HTML_CAP } from '../html/html-limits.js';

/** The most classes a confusion matrix may have: far above MNIST's 10, and a matrix of a million cells at most. */
export const MAX_CLASSES = 1024;
/** The most records an IDX file can declare (its counts are 32-bit). */
export const MAX_RECORDS = 2 ** 32 - 1;

/** A count: a non-negative safe integer. */
const count = z.int().min(0);
/** A number JSON can hold that is not negative. */
const amount = z.number().min(0);

const prediction = z.object({
  // Checked against the shard's records after the shape, for a message that names them.
  index: z.int(),
  label: count,
  predicted: count,
  // A network's NaN output is written as null.
  confidence: z.number().min(0).max(1).nullable(),
});

const tile = prediction.extend({ pixels: z.string() });

const side = z.int().min(1).max(MAX_RECORD_BYTES);

const shard = z.object({
  index: count,
  count: z.int().min(1).max(MAX_RECORDS),
  start: count,
  end: count,
  rows: side,
  cols: side,
  mosaicCap: z.int().min(1).max(MAX_MOSAIC_CAP),
  mosaicOrder: z.enum(['index', 'confidence']),
  mosaicScale: z.int().min(1).max(MAX_MOSAIC_SCALE).optional(),
  predictions: z.string().optional(),
  tiles: z.array(tile).max(MAX_MOSAIC_CAP),
  htmlCap: z.int().min(1).max(MAX_HTML_CAP).optional(),
  // At most one for each error: checked against the error list after the shape.
  cellTiles: z.array(tile).optional(),
});

const model = z.object({
  name: z.string(),
  source: z.string(),
  layers: z.array(z.string()),
  parameters: count,
  precision: z.enum(['float32', 'float64']),
  inputShape: z.array(z.int().min(1)),
  output: z.enum(['probabilities', 'logits']),
  preprocess: z.array(z.string()).max(8),
  weights: z.object({
    path: z.string(),
    sha256: z.string(),
    format: z.enum(WEIGHT_FORMATS),
    metadata: z.record(z.string(), z.string()).refine((entries) => Object.keys(entries).length <= 32, 'at most 32 entries'),
  }),
});

export const partialReportSchema = z.object({
  correct: count,
  total: count,
  misclassified: count,
  confusion: z.array(z.array(count).max(MAX_CLASSES)).min(1).max(MAX_CLASSES),
  normalize: z.boolean(),
  batchSize: z.int().min(1).max(MAX_BATCH_SIZE),
  inputs: z.object({ images: z.string(), labels: z.string(), weights: z.string(), weightsSha256: z.string() }),
  model,
  predictions: z.string().nullable(),
  timing: z.object({ forwardMs: amount }),
  forward: z.object({ kernel: z.string(), workers: z.int().min(0).max(MAX_WORKERS), threads: z.int().min(1).max(MAX_THREADS), alsoMainThread: z.boolean() }),
  resources: z.object({ peakRssMb: amount }),
  range: z.object({ start: count, end: count, size: z.int().min(0).max(MAX_RECORDS) }),
  classes: z.array(z.string().max(4 * MAX_CLASS_NAME_CHARS)).min(1).max(MAX_CLASSES).optional(),
  errors: z.array(prediction),
  shard,
});

/** The field at `path` as a message names it: `errors[3].index`, `shard.tiles[0].pixels`. */
export function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const key of path) name += typeof key === 'number' ? `[${key}]` : `${name === '' ? '' : '.'}${String(key)}`;
  return name === '' ? 'the report' : name;
}

/** A value as a message shows it: short, and its type when that is what is wrong. */
function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return String(value);
}

const WORDS: Readonly<Record<string, string>> = { int: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false', object: 'an object', array: 'an array' };

/** One zod issue as `<field> is <what came>, expected <what>`. */
export function issueText(issue: z.core.$ZodIssue): string {
  const field = fieldName(issue.path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined ? `${field} is missing, expected ${WORDS[issue.expected] ?? issue.expected}` : `${field} is ${shown(input)}, expected ${WORDS[issue.expected] ?? issue.expected}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      const what = issue.origin === 'array' ? `${bound} entries` : issue.origin === 'string' ? `${bound} characters` : bound;
      return `${field} is ${shown(input)}, expected ${what}`;
    }
    case 'invalid_value':
      return `${field} is ${shown(input)}, expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    default:
      return `${field}: ${issue.message}`;
  }
}
