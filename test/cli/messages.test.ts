/**
 * Every error line is one line a terminal shows as it is (#12, "Messages"): at most
 * MAX_MESSAGE_CHARS characters, lists cut with "… and N more", control characters escaped. Made
 * once, in InputError and UsageError (src/errors.ts); tested here through `main()` with captured
 * streams (a 10 MB path cannot pass through a child's argv) and on the functions themselves.
 */
import test from 'ava';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../helpers/run-main.js';
import { cutText, InputError, listSome, MAX_MESSAGE_CHARS, oneLine, UsageError } from '../../src/errors.js';
import { DATA_DIR, needsData } from '../helpers/data-dir.js';
import { idxBytes, writeZip } from '../helpers/idx-fixtures.js';
import { binint, EMPTY_DICT, MARK, NONE, pickle, PROTO2, SETITEMS, STOP } from '../weights/pickle-builder.js';

needsData(test);
process.env.MNIST_EVAL_DATA_DIR = DATA_DIR;


/** One line of at most MAX_MESSAGE_CHARS after `mnist-eval: `, with no control character. */
function isOneShortLine(t: import('ava').ExecutionContext, stderr: string): void {
  const lines = stderr.split('\n');
  t.is(lines.at(-1), '');
  const [first] = lines;
  t.true(first.length <= 'mnist-eval: '.length + MAX_MESSAGE_CHARS, `${first.length} characters`);
  // eslint-disable-next-line no-control-regex
  t.notRegex(first, /[\u0000-\u001f\u007f-\u009f]/);
}

const fresh = () => mkdtemp(join(tmpdir(), 'mnist-eval-messages-'));

test('a 10 MB path is one line of normal length, its start and its end kept (exit 1, nothing written)', async (t) => {
  const cwd = await fresh();
  const path = `${cwd}/${'a'.repeat(10 * 2 ** 20)}/t10k-images-idx3-ubyte.gz`;
  const result = await runMain(['--images', path, '--labels', join(DATA_DIR, 't10k-labels-idx1-ubyte.gz'), '--report', join(cwd, 'r.json'), '--mosaic', join(cwd, 'e.png')]);
  t.is(result.code, 1, result.stderr.slice(0, 400));
  isOneShortLine(t, result.stderr.split('\n').slice(0, 1).join('\n') + '\n');
  t.true(result.stderr.startsWith(`mnist-eval: ${cwd}/aaa`));
  t.regex(result.stderr, / … a+\/t10k-images-idx3-ubyte\.gz: /);
  t.deepEqual(await readdir(cwd), []);
});

test('a 10 MB option value is a usage error of one line', async (t) => {
  const result = await runMain(['--mosaic-order', 'x'.repeat(10 * 2 ** 20)]);
  t.is(result.code, 2);
  const [line] = result.stderr.split('\n');
  t.regex(line, /^mnist-eval: --mosaic-order must be index or confidence, got 'x+ … x+'$/);
  t.true(line.length <= 'mnist-eval: '.length + MAX_MESSAGE_CHARS);
});

test('zip entry names with terminal escape sequences are printed escaped', async (t) => {
  const cwd = await fresh();
  const images = idxBytes([2, 28, 28], new Uint8Array(2 * 784));
  const zip = await writeZip(join(cwd, 'a.zip'), [{ name: '\x1b[31mred-images', data: images }, { name: 'b\x1b]0;title\x07-images', data: images }]);
  const result = await runMain(['--images', zip, '--labels', join(DATA_DIR, 't10k-labels-idx1-ubyte.gz'), '--report', join(cwd, 'r.json'), '--mosaic', join(cwd, 'e.png')]);
  t.is(result.code, 1);
  isOneShortLine(t, result.stderr);
  t.true(result.stderr.includes('\\x1b[31mred-images'), result.stderr);
  t.false(result.stderr.includes('\x1b'));
  t.deepEqual((await readdir(cwd)).sort(), ['a.zip']);
});

test('a weight file whose dict holds 100,000 keys and no arrays: one line, ten keys and "… and 99990 more"', async (t) => {
  const cwd = await fresh();
  const entries = Array.from({ length: 100_000 }, (_, i) => [...binint(i), NONE]).flat();
  await writeFile(join(cwd, 'keys.pkl'), pickle(PROTO2, EMPTY_DICT, MARK, entries, SETITEMS, STOP));
  const result = await runMain(['--weights', join(cwd, 'keys.pkl'), '--limit', '10', '--report', join(cwd, 'r.json'), '--mosaic', join(cwd, 'e.png')]);
  t.is(result.code, 1);
  isOneShortLine(t, result.stderr);
  t.regex(result.stderr, / … and 99990 more\)\n$/);
});

test('oneLine escapes C0, DEL, C1, line separators and bidirectional overrides; line breaks become spaces', (t) => {
  t.is(oneLine('a\r\nb\x1b[31mc\x00\x7f\x85\u2028\u202e'), 'a b\\x1b[31mc\\x00\\x7f\\x85\\u2028\\u202e');
  t.is(oneLine('ünïcödé 7→1 …'), 'ünïcödé 7→1 …', 'printable text is kept');
});

test('cutText keeps two thirds of the start and the end, never half a surrogate pair', (t) => {
  const cut = cutText('a'.repeat(1000), 300);
  t.is(cut.length, 300);
  t.regex(cut, /^a{198} … a{99}$/);
  t.is(cutText('short', 300), 'short');
  const emoji = cutText('😀'.repeat(500), 300);
  t.notRegex(emoji, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
});

test('InputError cuts a long file name to 120 characters and the whole message to MAX_MESSAGE_CHARS; UsageError the same', (t) => {
  const error = new InputError(`/${'d'.repeat(5000)}/x.gz`, `problem ${'p'.repeat(5000)}`);
  t.true(error.message.length <= MAX_MESSAGE_CHARS);
  t.regex(error.message, /^\/d+ … d+\/x\.gz: problem p+ … p+$/);
  t.is(error.file.length, 5006, 'the file itself stays as given');
  t.is(new UsageError(`--x got '${'\x1b'.repeat(10)}'`).message, `--x got '${'\\x1b'.repeat(10)}'`);
});

test('listSome names the first ones and how many more', (t) => {
  t.is(listSome([1, 2, 3]), '1, 2, 3');
  t.is(listSome(Array.from({ length: 12 }, (_, i) => i)), '0, 1, 2, 3, 4, 5, 6, 7, 8, 9 … and 2 more');
  t.is(listSome([2, 3], 10, 148), '2, 3 … and 146 more');
});
