/**
 * Record ranges: the records that `--offset` and `--limit` select, and the shards of them.
 * `--shard K/N` evaluates the K-th (0-based) of N contiguous ranges of records, so N
 * processes on N machines share a dataset and `mnist-eval merge` joins their partial reports.
 * The index and count may come from a batch scheduler's environment instead.
 */
import { UsageError } from '../errors.js';
import type { RecordRange, Shard } from '../types.js';

/**
 * Where `--shard env` (or `--shard-count N` alone) finds the shard index, first match wins:
 * our own variable, a Kubernetes Indexed Job's, a SLURM job array's (counted from its first task).
 */
export const SHARD_INDEX_VARIABLES = ['MNIST_EVAL_SHARD_INDEX', 'JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'] as const;
/** Where it finds the count when `--shard-count` does not give it. */
export const SHARD_COUNT_VARIABLES = ['MNIST_EVAL_SHARD_COUNT', 'SLURM_ARRAY_TASK_COUNT'] as const;

const wholeNumber = (text: string): number | undefined => (/^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined);

function checked(index: number, count: number, what: string): Shard {
  if (count < 1) throw new UsageError(`${what}: the shard count must be at least 1, got ${count}`);
  if (index >= count) throw new UsageError(`${what}: shard index ${index} is outside 0..${count - 1}`);
  return { index, count };
}

/**
 * The shard that `--shard SPEC` and `--shard-count N` ask for, or undefined for neither.
 * SPEC is `K/N`, or `env` to read K (and N, without `--shard-count`) from the environment.
 */
export function resolveShard(spec: string | undefined, countOption: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  if (spec === undefined && countOption === undefined) return undefined;
  let optionCount: number | undefined;
  if (countOption !== undefined) {
    optionCount = wholeNumber(countOption);
    if (optionCount === undefined || optionCount < 1) throw new UsageError(`--shard-count must be a whole number of at least 1, got '${countOption}'`);
  }
  if (spec !== undefined && spec !== 'env') {
    const match = /^(\d+)\/(\d+)$/.exec(spec);
    const index = match ? wholeNumber(match[1]) : undefined;
    const count = match ? wholeNumber(match[2]) : undefined;
    if (index === undefined || count === undefined) throw new UsageError(`--shard must be K/N (shard K of N, K from 0) or env, got '${spec}'`);
    if (optionCount !== undefined && optionCount !== count) throw new UsageError(`--shard ${spec} and --shard-count ${optionCount} disagree`);
    return checked(index, count, `--shard ${spec}`);
  }
  const indexVariable = SHARD_INDEX_VARIABLES.find((name) => env[name] !== undefined && env[name] !== '');
  if (indexVariable === undefined) {
    throw new UsageError(`--shard env: no shard index in the environment (set one of ${SHARD_INDEX_VARIABLES.join(', ')})`);
  }
  let index = wholeNumber(env[indexVariable]!);
  if (index === undefined) throw new UsageError(`--shard env: ${indexVariable} must be a whole number, got '${env[indexVariable]}'`);
  if (indexVariable === 'SLURM_ARRAY_TASK_ID' && env.SLURM_ARRAY_TASK_MIN !== undefined) {
    const min = wholeNumber(env.SLURM_ARRAY_TASK_MIN);
    if (min === undefined || min > index) throw new UsageError(`--shard env: SLURM_ARRAY_TASK_MIN '${env.SLURM_ARRAY_TASK_MIN}' does not fit SLURM_ARRAY_TASK_ID ${index}`);
    index -= min;
  }
  let count = optionCount;
  if (count === undefined) {
    const countVariable = SHARD_COUNT_VARIABLES.find((name) => env[name] !== undefined && env[name] !== '');
    if (countVariable === undefined) {
      throw new UsageError(`--shard env: no shard count (give --shard-count N, or set ${SHARD_COUNT_VARIABLES.join(' or ')})`);
    }
    count = wholeNumber(env[countVariable]!);
    if (count === undefined) throw new UsageError(`--shard env: ${countVariable} must be a whole number, got '${env[countVariable]}'`);
  }
  return checked(index, count, `--shard env (${indexVariable}=${env[indexVariable]})`);
}

/** The records that `offset` and `limit` (default: all to the end) select from a dataset of `size`. */
export function selectedRange(size: number, { offset = 0, limit = Infinity }: { readonly offset?: number; readonly limit?: number }): RecordRange & { readonly size: number } {
  const start = Math.min(offset, size);
  return { start, end: Math.min(size, start + limit), size };
}

/** The records of `shard` within `range`: the K-th of N contiguous parts, sizes differing by at most one. */
export function shardRange(range: RecordRange, shard: Shard): RecordRange {
  const n = range.end - range.start;
  return {
    start: range.start + Math.floor((shard.index * n) / shard.count),
    end: range.start + Math.floor(((shard.index + 1) * n) / shard.count),
  };
}
