/** The model options of the command line: --model, --precision, and --activation beside them. */
import test from 'ava';
import { parseCliOptions, USAGE } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';

test('--model and --precision are passed on; both are absent by default', (t) => {
  t.like(parseCliOptions(['--model', 'simple-convnet', '--precision', 'float32']), { model: 'simple-convnet', precision: 'float32' });
  t.like(parseCliOptions(['--model', 'nets/lenet.json']), { model: 'nets/lenet.json', precision: undefined });
  const defaults = parseCliOptions([]);
  t.is(defaults.model, undefined);
  t.is(defaults.precision, undefined);
  t.is(defaults.activation, 'sigmoid');
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
