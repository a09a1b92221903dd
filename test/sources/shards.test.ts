/** Shards of a record range (src/sources/shards.ts): `--shard K/N`, or the index from a scheduler's environment. */
import test from 'ava';
import { UsageError } from '../../src/errors.js';
import { resolveShard, shardRange } from '../../src/sources/shards.js';

test('shard ranges: contiguous, covering, sizes within one', (t) => {
  const range = { start: 10, end: 1013 };
  const parts = Array.from({ length: 7 }, (_, index) => shardRange(range, { index, count: 7 }));
  t.is(parts[0].start, 10);
  t.is(parts[6].end, 1013);
  parts.slice(1).forEach((part, i) => t.is(part.start, parts[i].end));
  const sizes = parts.map((part) => part.end - part.start);
  t.true(Math.max(...sizes) - Math.min(...sizes) <= 1);
});

test('shard index and count from the environment: Kubernetes, SLURM, ours', (t) => {
  t.deepEqual(resolveShard('2/4', undefined, {}), { index: 2, count: 4 });
  t.deepEqual(resolveShard(undefined, '4', { JOB_COMPLETION_INDEX: '3' }), { index: 3, count: 4 });
  t.deepEqual(resolveShard('env', undefined, { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' }), { index: 4, count: 8 });
  t.deepEqual(resolveShard('env', undefined, { MNIST_EVAL_SHARD_INDEX: '0', MNIST_EVAL_SHARD_COUNT: '2', JOB_COMPLETION_INDEX: '1' }), { index: 0, count: 2 });
  t.is(resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '1' }), undefined);
});

test('shard specs that cannot work are usage errors that say why', (t) => {
  t.throws(() => resolveShard('4/4', undefined, {}), { instanceOf: UsageError, message: '--shard 4/4: shard index 4 is outside 0..3' });
  t.throws(() => resolveShard('1-4', undefined, {}), { instanceOf: UsageError, message: "--shard must be K/N (shard K of N, K from 0) or env, got '1-4'" });
  t.throws(() => resolveShard('env', undefined, {}), { instanceOf: UsageError, message: /no shard index in the environment/ });
  t.throws(() => resolveShard('env', undefined, { JOB_COMPLETION_INDEX: '1' }), { instanceOf: UsageError, message: /no shard count \(give --shard-count N/ });
  t.throws(() => resolveShard('1/4', '3', {}), { instanceOf: UsageError, message: '--shard 1/4 and --shard-count 3 disagree' });
});
