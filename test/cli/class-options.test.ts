/** parseCliOptions for #15's options: --dataset fashion-*, --classes (a list or a file) and --html-cap. */
import test from 'ava';
import { parseCliOptions, USAGE } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';

test('--dataset fashion-test and fashion-train are named datasets', (t) => {
  t.is(parseCliOptions(['--dataset', 'fashion-test']).dataset, 'fashion-test');
  t.is(parseCliOptions(['--dataset', 'fashion-train']).dataset, 'fashion-train');
  t.throws(() => parseCliOptions(['--dataset', 'fashion']), { instanceOf: UsageError, message: "--dataset must be mnist-test, mnist-train, fashion-test or fashion-train, got 'fashion'" });
});

test('--classes: a value with a comma is the list, anything else a file; none given: undefined', (t) => {
  t.deepEqual(parseCliOptions(['--classes', 'cat, dog,bird']).classes, ['cat', 'dog', 'bird']);
  t.deepEqual(parseCliOptions(['--classes', 'names.txt']).classes, { file: 'names.txt' });
  t.is(parseCliOptions([]).classes, undefined);
  t.throws(() => parseCliOptions(['--classes', '']), { instanceOf: UsageError, message: '--classes needs a path' });
  t.throws(() => parseCliOptions(['--classes', 'cat,,dog']), { instanceOf: UsageError, message: '--classes: class 1 has an empty name' });
});

test('--html-cap: 2000 by default, from 1 to 10000', (t) => {
  t.is(parseCliOptions([]).htmlCap, 2000);
  t.is(parseCliOptions(['--html-cap', '1']).htmlCap, 1);
  t.is(parseCliOptions(['--html-cap', '10000']).htmlCap, 10_000);
  t.throws(() => parseCliOptions(['--html-cap', '0']), { instanceOf: UsageError, message: "--html-cap must be a whole number of at least 1, got '0'" });
  t.throws(() => parseCliOptions(['--html-cap', '10001']), {
    instanceOf: UsageError,
    message: "--html-cap must be at most 10000 (images kept in memory and inlined in the page, for each cell), got '10001'",
  });
});

test('the usage text names the new options', (t) => {
  for (const text of ['fashion-test', '--classes NAMES|FILE', '--html-cap N', 'dataset-fashion-mnist']) t.true(USAGE.includes(text), text);
  t.true(USAGE.split('\n').every((line) => line.length <= 100), 'no line wider than the others');
});
