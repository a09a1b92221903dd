import test from 'ava';
import { parseCliOptions } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';

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
