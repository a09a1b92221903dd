import test from 'ava';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../../src/errors.js';
import {
  checkClassCount, classNamesFromList, classNamesFromText, classNamesProblem, MAX_CLASS_FILE_BYTES, oneLineName, readClassNames, resolveClassNames,
} from '../../src/datasets/class-names.js';

const folder = () => mkdtemp(join(tmpdir(), 'mnist-eval-classes-'));

test('a list: the names between the commas, trimmed', (t) => {
  t.deepEqual(classNamesFromList('cat, dog ,Ankle boot'), ['cat', 'dog', 'Ankle boot']);
});

const listErrors: Array<[string, string]> = [
  ['a,,b', '--classes: class 1 has an empty name'],
  ['a, ,b', '--classes: class 1 has an empty name'],
  ['a,b,', '--classes: class 2 has an empty name'],
  ['a,b,a', "--classes: classes 0 and 2 have the same name 'a', expected a different name for each class"],
  ['a,b , b', "--classes: classes 1 and 2 have the same name 'b', expected a different name for each class"],
  [`a,${'x'.repeat(65)}`, '--classes: the name of class 1 is 65 characters, expected at most 64'],
];
for (const [list, message] of listErrors) {
  test(`a list '${list.slice(0, 12)}': ${message}`, (t) => {
    t.throws(() => classNamesFromList(list), { instanceOf: UsageError, message });
  });
}

test('names are made one line: controls, escapes, line separators, bidi and zero-width characters become one space', (t) => {
  t.is(oneLineName('\u001b[31mred\u001b[0m'), '[31mred [0m');
  t.is(oneLineName('a\tb\r\nc\u2028d\u202ee\u200bf\u0085g'), 'a b c d e f g');
  t.is(oneLineName('  T-shirt/top  '), 'T-shirt/top');
  t.is(oneLineName('Ünïcödé 🧥'), 'Ünïcödé 🧥', 'other text is kept');
  t.deepEqual(classNamesFromList('\u0007bell,ok'), ['bell', 'ok']);
  t.is(Array.from('🧥'.repeat(64)).length, 64);
  t.deepEqual(classNamesFromList(`${'🧥'.repeat(64)},b`)[0], '🧥'.repeat(64), 'the length counts characters, not UTF-16 units');
});

test('a file\'s text: one name a line, LF or CRLF, a final line break and a BOM allowed', (t) => {
  t.deepEqual(classNamesFromText('\uFEFFa\r\nb\nc\n', 'n.txt'), ['a', 'b', 'c']);
  t.deepEqual(classNamesFromText('a\nb', 'n.txt'), ['a', 'b']);
  t.throws(() => classNamesFromText('a\n\nb\n', 'n.txt'), { instanceOf: InputError, message: 'n.txt: class 1 has an empty name' });
  t.throws(() => classNamesFromText('a\nb\n\n', 'n.txt'), { instanceOf: InputError, message: 'n.txt: class 2 has an empty name' });
  t.throws(() => classNamesFromText('', 'n.txt'), { instanceOf: InputError, message: 'n.txt: class 0 has an empty name' });
});

test('readClassNames: UTF-8 only, bounded, and a folder or a missing file said so', async (t) => {
  const dir = await folder();
  await writeFile(join(dir, 'ok.txt'), 'Café\nThé\n');
  t.deepEqual(await readClassNames(join(dir, 'ok.txt')), ['Café', 'Thé']);
  t.deepEqual(await resolveClassNames({ file: join(dir, 'ok.txt') }), ['Café', 'Thé']);
  t.deepEqual(await resolveClassNames(['x', 'y']), ['x', 'y']);
  await writeFile(join(dir, 'latin1.txt'), Buffer.from('Caf\xe9\n', 'latin1'));
  await t.throwsAsync(readClassNames(join(dir, 'latin1.txt')), { instanceOf: InputError, message: `${join(dir, 'latin1.txt')}: not UTF-8 text, expected class names, one a line` });
  await writeFile(join(dir, 'huge.txt'), Buffer.alloc(MAX_CLASS_FILE_BYTES + 1, 0x61));
  await t.throwsAsync(readClassNames(join(dir, 'huge.txt')), { message: `${join(dir, 'huge.txt')}: more than ${MAX_CLASS_FILE_BYTES} bytes, too large for a file of class names` });
  await t.throwsAsync(readClassNames(join(dir, 'small.txt'), 4), { message: /no such file/ });
  await writeFile(join(dir, 'small.txt'), 'abcde');
  await t.throwsAsync(readClassNames(join(dir, 'small.txt'), 4), { message: `${join(dir, 'small.txt')}: more than 4 bytes, too large for a file of class names` });
  await mkdir(join(dir, 'sub'));
  await t.throwsAsync(readClassNames(join(dir, 'sub')), { message: `${join(dir, 'sub')}: is a folder, expected a file of class names, one a line` });
  await t.throwsAsync(readClassNames('/dev/zero'), { message: `/dev/zero: more than ${MAX_CLASS_FILE_BYTES} bytes, too large for a file of class names` }, 'an endless device is cut at the cap');
});

test('checkClassCount: one name for each output, the error from where the names came', (t) => {
  t.notThrows(() => checkClassCount(['a', 'b'], 2, ['a', 'b']));
  t.throws(() => checkClassCount(['a', 'b'], 3, ['a', 'b']), { instanceOf: UsageError, message: '--classes: 2 class names, expected 3 (one for each output of the network)' });
  t.throws(() => checkClassCount(['a', 'b'], 3, { file: 'names.txt' }), { instanceOf: InputError, message: 'names.txt: 2 class names, expected 3 (one for each output of the network)' });
  t.throws(() => checkClassCount(['a', 'b'], 3, 'dataset', 'fashion-test'), {
    instanceOf: UsageError,
    message: '--dataset fashion-test: its 2 class names, expected 3 (one for each output of the network); give --classes to name them',
  });
});

test('classNamesProblem: what a partial report\'s classes may not be', (t) => {
  t.is(classNamesProblem(['a', 'b']), undefined);
  t.is(classNamesProblem(['a', 'b\u001b']), 'classes[1] is not one line of text without control characters or surrounding spaces');
  t.is(classNamesProblem([' a']), 'classes[0] is not one line of text without control characters or surrounding spaces');
  t.is(classNamesProblem(['a', 'a']), "classes 0 and 1 have the same name 'a', expected a different name for each class");
  t.is(classNamesProblem(['', 'a']), 'class 0 has an empty name');
});
