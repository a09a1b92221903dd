import test from 'ava';
import { InputError } from '../../src/errors.js';
import { toInputError } from '../../src/sources/to-input-error.js';

const systemError = (code: string, message: string): Error => Object.assign(new Error(message), { code, syscall: 'open' });
const zlibError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

test('file errors: permission denied', (t) => {
  const denied = Object.assign(new Error("EACCES: permission denied, open 'x'"), { code: 'EACCES', syscall: 'open' });
  t.is(toInputError('x.gz', denied).message, 'x.gz: permission denied');
});

test('system errors: one line naming the path', (t) => {
  const cases: [Error, string][] = [
    [systemError('ENOENT', 'ENOENT: no such file or directory'), 'no such file'],
    [systemError('ENOTDIR', 'ENOTDIR: not a directory'), 'no such file (a folder on the path is a file)'],
    [systemError('EPERM', 'EPERM: operation not permitted'), 'permission denied'],
    [systemError('EISDIR', 'EISDIR: illegal operation on a directory, read'), 'is a directory, expected a file'],
    [systemError('EIO', 'EIO: i/o error, read'), 'cannot read (EIO: i/o error, read)'],
  ];
  for (const [error, problem] of cases) {
    const translated = toInputError('x.idx', error);
    t.true(translated instanceof InputError);
    t.is(translated.message, `x.idx: ${problem}`);
  }
});

test('zlib errors: named after what was being decompressed', (t) => {
  t.is(toInputError('x.gz', zlibError('Z_BUF_ERROR', 'unexpected end of file')).message, 'x.gz: truncated gzip data (unexpected end of file)');
  t.is(toInputError('x.zip', zlibError('Z_BUF_ERROR', 'unexpected end of file'), 'zip entry "x"').message, 'x.zip: truncated zip entry "x" (unexpected end of file)');
  t.is(toInputError('x.gz', zlibError('Z_DATA_ERROR', 'incorrect data check')).message, 'x.gz: corrupted gzip data (incorrect data check)');
  t.is(toInputError('x.gz', zlibError('Z_DATA_ERROR', 'incorrect header check')).message, 'x.gz: trailing garbage after the gzip data');
  t.is(toInputError('x.zip', zlibError('Z_DATA_ERROR', 'incorrect header check'), 'zip entry "x"').message, 'x.zip: corrupted zip entry "x" (incorrect header check)');
  t.is(toInputError('x.gz', zlibError('Z_NEED_DICT', 'Missing dictionary')).message, 'x.gz: corrupted gzip data (Missing dictionary)');
});

test('toInputError passes through errors that are not the user\'s', (t) => {
  const bug = new TypeError('x is undefined');
  t.is(toInputError('x.gz', bug), bug);
});

test('an InputError passes through as it is', (t) => {
  const error = new InputError('inner.idx', 'empty file');
  t.is(toInputError('x.gz', error), error);
});
