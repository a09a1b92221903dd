/** The README reader of the harness: fences, shell commands (continuations, comments, quotes), words. */
import test from 'ava';
import { fencedBlocks, flag, shellCommands, stages, tokens } from './markdown.js';

test('fencedBlocks: language, opening line, section and the prose before each block', (t) => {
  const markdown = ['# Title', '', '## Quick start', 'Run it:', '', '```sh', 'a', '```', 'Then', '````', 'b', '```', '````', '## Next', '```yaml', 'k: v', '```'].join('\n');
  t.deepEqual(fencedBlocks(markdown), [
    { lang: 'sh', text: 'a', line: 6, section: 'Quick start', before: 'Run it:' },
    { lang: '', text: 'b\n```', line: 10, section: 'Quick start', before: 'Then' },
    { lang: 'yaml', text: 'k: v', line: 15, section: 'Next', before: '' },
  ]);
});

test('shellCommands: `\\` continuations are joined, a `#` comment ends a command and is kept', (t) => {
  const block = ['npm install && npm start     # accuracy 0.9352, out/errors.png', '', 'parallel a --x {}/4 \\', "  --y 'b # c' ::: 0 1   # four", '# a line of its own', 'echo a#b'].join('\n');
  t.deepEqual(shellCommands(block), [
    { text: 'npm install && npm start', comment: 'accuracy 0.9352, out/errors.png', line: 1 },
    { text: "parallel a --x {}/4 --y 'b # c' ::: 0 1", comment: 'four', line: 3 },
    { text: 'echo a#b', comment: '', line: 6 },
  ]);
});

test('shellCommands: a block that ends inside a continuation is an error', (t) => {
  t.throws(() => shellCommands('mnist-eval \\'), { message: /ends inside a \\ continuation/ });
});

test('tokens and stages: quotes removed, operators split the simple commands', (t) => {
  t.deepEqual(tokens(`zcat "big images.gz" | mnist-eval --images - && a 'x|y';b`), [
    { word: 'zcat' }, { word: 'big images.gz' }, { op: '|' }, { word: 'mnist-eval' }, { word: '--images' }, { word: '-' },
    { op: '&&' }, { word: 'a' }, { word: 'x|y' }, { op: ';' }, { word: 'b' },
  ]);
  t.deepEqual(stages('a 1 || b 2 | c'), [['a', '1'], ['b', '2'], ['c']]);
  t.throws(() => tokens('sleep 1 &'), { message: /unsupported shell operator/ });
  t.throws(() => tokens("echo 'open"), { message: /unterminated '/ });
});

test('flag: --name value and --name=value', (t) => {
  t.is(flag(['--report', 'a.json', '--mosaic=b.png'], '--report'), 'a.json');
  t.is(flag(['--report', 'a.json', '--mosaic=b.png'], '--mosaic'), 'b.png');
  t.is(flag(['--report'], '--html'), undefined);
});
