/**
 * parseCliOptions (src/cli/options.ts): the options of a run as the command line gives them, and
 * the usage errors of values no run can take. Through the real CLI: test/e2e/cli.test.ts.
 */
import test from 'ava';
import { parseCliOptions, USAGE } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';

// ---- the model: --model, --precision, and --activation beside them ------------------------------

test('--model and --precision are passed on; both are absent by default', (t) => {
  t.like(parseCliOptions(['--model', 'simple-convnet', '--precision', 'float32']), { model: 'simple-convnet', precision: 'float32' });
  t.like(parseCliOptions(['--model', 'nets/lenet.json']), { model: 'nets/lenet.json', precision: undefined });
  const defaults = parseCliOptions([]);
  t.is(defaults.model, undefined);
  t.is(defaults.precision, undefined);
  t.is(defaults.activation, undefined);
});

test('usage errors: an unknown precision, an empty --model, --activation with --model', (t) => {
  t.throws(() => parseCliOptions(['--precision', 'float16']), { instanceOf: UsageError, message: "--precision must be float32 or float64, got 'float16'" });
  t.throws(() => parseCliOptions(['--model', '']), { instanceOf: UsageError, message: '--model needs a path' });
  t.throws(() => parseCliOptions(['--model', 'simple-convnet', '--activation', 'relu']), {
    instanceOf: UsageError,
    message: '--activation applies to an MLP read from W1, b1 …; a --model names its own activations',
  });
});

test('the usage text lists the model options', (t) => {
  t.regex(USAGE, /--model NAME\|PATH +simple-convnet/);
  t.regex(USAGE, /--precision NAME +compute in float32 or float64/);
});

// ---- the forward pass: workers, threads, kernel ------------------------------------------------

test('--workers and --kernel default to a choice made by input size and network', (t) => {
  const options = parseCliOptions([]);
  t.is(options.workers, undefined);
  t.is(options.kernel, 'auto');
});

test('--workers takes 0 (main thread) and up; --kernel takes auto, wasm or js', (t) => {
  t.is(parseCliOptions(['--workers', '0']).workers, 0);
  t.is(parseCliOptions(['--workers', '2']).workers, 2);
  t.is(parseCliOptions(['--kernel', 'js']).kernel, 'js');
  t.is(parseCliOptions(['--kernel', 'wasm']).kernel, 'wasm');
  t.is(parseCliOptions(['--threads', '2']).threads, 2);
  t.is(parseCliOptions([]).threads, undefined);
});

test('bad --workers and --kernel values are usage errors that say what was expected', (t) => {
  t.throws(() => parseCliOptions(['--workers', 'two']), { instanceOf: UsageError, message: "--workers must be a whole number from 0 to 64, got 'two'" });
  t.throws(() => parseCliOptions(['--workers', '65']), { instanceOf: UsageError });
  t.throws(() => parseCliOptions(['--threads', '0']), { instanceOf: UsageError, message: "--threads must be a whole number of at least 1, got '0'" });
  t.throws(() => parseCliOptions(['--kernel', 'gpu']), { instanceOf: UsageError, message: "--kernel must be auto, wasm or js, got 'gpu'" });
});

// ---- shards --------------------------------------------------------------------------------------

test('--shard-count with the index from the environment (a Kubernetes indexed job)', (t) => {
  t.deepEqual(parseCliOptions(['--shard-count', '3'], { JOB_COMPLETION_INDEX: '2' }).shard, { index: 2, count: 3 });
  t.deepEqual(parseCliOptions(['--shard', '1/4'], {}).shard, { index: 1, count: 4 });
  t.is(parseCliOptions([], {}).shard, undefined);
});
