/**
 * Outputs never replace what they must not (#12, class 1), through the real command line: an
 * output that is an input, two outputs that are one file, an existing non-regular file, a commit
 * that fails half-way; `-` for standard output; a target name of 255 bytes. Each refusal is
 * exit 1 and one line, and the files on disk keep their bytes and mtime.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { mnistEval } from '../helpers/cli.js';
import { IMAGES_GZ, LABELS_GZ, needsData, SAMPLE_WEIGHT } from '../helpers/data-dir.js';

needsData(test);

const SMALL = ['--limit', '200', '--quiet'];

/** A fresh working folder with copies of the data (so that a bad run could only harm the copies). */
async function workspace(t: ExecutionContext): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-safety-'));
  t.teardown(() => rm(cwd, { recursive: true, force: true }));
  await copyFile(SAMPLE_WEIGHT, join(cwd, 'w.pkl'));
  await copyFile(IMAGES_GZ, join(cwd, 'images.gz'));
  await copyFile(LABELS_GZ, join(cwd, 'labels.gz'));
  await mkdir(join(cwd, 'real'));
  await symlink('real', join(cwd, 'link'));
  for (const name of ['w.pkl', 'images.gz', 'labels.gz']) await utimes(join(cwd, name), new Date('2020-01-01'), new Date('2020-01-01'));
  return cwd;
}
const INPUTS = ['--weights', 'w.pkl', '--images', 'images.gz', '--labels', 'labels.gz'];

/** Every entry under `dir` with its kind, size and mtime, to compare before and after a run. */
async function disk(dir: string): Promise<string[]> {
  // Walked by hand: readdir's `recursive` follows the links to folders these tests make (real/up → ..).
  const entries: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    for (const name of await readdir(join(dir, sub))) {
      entries.push(join(sub, name));
      if ((await lstat(join(dir, sub, name))).isDirectory()) await walk(join(sub, name));
    }
  };
  await walk('');
  return Promise.all(entries.sort().map(async (name) => {
    const info = await lstat(join(dir, name));
    const kind = info.isSymbolicLink() ? 'link' : info.isDirectory() ? 'dir' : info.isFIFO() ? 'fifo' : info.isSocket() ? 'socket' : 'file';
    return `${name} ${kind} ${info.isFile() ? `${info.size} ${info.mtimeMs} ${(await readFile(join(dir, name))).toString('base64').slice(0, 64)}` : ''}`;
  }));
}

/** Runs the CLI in `cwd`, expecting exit 1, exactly `line` on stderr, and the folder as it was. */
async function refused(t: ExecutionContext, cwd: string, args: string[], line: string | RegExp): Promise<void> {
  const before = await disk(cwd);
  const run = await mnistEval(args[0] === 'merge' ? [...args, '--quiet'] : [...SMALL, ...args], { cwd });
  t.is(run.code, 1, run.stderr);
  if (typeof line === 'string') t.is(run.stderr, `mnist-eval: ${line}\n`);
  else t.regex(run.stderr, line);
  t.is(run.stdout, '');
  t.deepEqual(await disk(cwd), before, 'nothing created, replaced or touched');
}

test('an output that is an input: --report the weights file, --predictions the images, under another spelling too', async (t) => {
  const cwd = await workspace(t);
  await refused(t, cwd, [...INPUTS, '--report', 'w.pkl'], 'w.pkl: given as --report, but it is an input (--weights w.pkl); an output must not replace an input');
  await refused(t, cwd, [...INPUTS, '--predictions', 'images.gz'], 'images.gz: given as --predictions, but it is an input (--images images.gz); an output must not replace an input');
  await symlink('..', join(cwd, 'real', 'up'));
  await refused(t, cwd, [...INPUTS, '--mosaic', 'link/up/labels.gz'], 'link/up/labels.gz: given as --mosaic, but it is an input (--labels labels.gz); an output must not replace an input');
  await refused(t, cwd, ['--weights', join(cwd, 'w.pkl'), '--html', 'real/up/w.pkl'], `real/up/w.pkl: given as --html, but it is an input (--weights ${join(cwd, 'w.pkl')}); an output must not replace an input`);
});

test('two outputs that are one file under different spellings (a symlinked folder): one line naming both', async (t) => {
  const cwd = await workspace(t);
  await refused(t, cwd, [...INPUTS, '--report', 'real/r.json', '--predictions', 'link/r.json'], 'link/r.json: given as --predictions, the same file as real/r.json given as --report');
  await refused(t, cwd, [...INPUTS, '--mosaic', 'link/m.png', '--html', `${cwd}/real/m.png`], `${cwd}/real/m.png: given as --html, the same file as link/m.png given as --mosaic`);
});

test('an existing output that is not a regular file: a device, a FIFO, a socket, a folder, a link to /proc/self/fd/1', async (t) => {
  const cwd = await workspace(t);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(cwd, 'sock'), resolve));
  t.teardown(() => server.close());
  execFileSync('mkfifo', [join(cwd, 'fifo')]);
  await mkdir(join(cwd, 'dir'));
  await symlink('/proc/self/fd/1', join(cwd, 'fd1'));
  const nul = await stat('/dev/null');
  await refused(t, cwd, [...INPUTS, '--predictions', '/dev/null'], '/dev/null: is a character device, expected a regular file or a new name (- writes to standard output)');
  const after = await stat('/dev/null');
  t.true(after.isCharacterDevice() && after.rdev === nul.rdev, '/dev/null is still the device');
  await refused(t, cwd, [...INPUTS, '--report', 'fifo'], 'fifo: is a FIFO, expected a regular file or a new name (- writes to standard output)');
  await refused(t, cwd, [...INPUTS, '--report', 'sock'], 'sock: is a socket, expected a regular file or a new name (- writes to standard output)');
  await refused(t, cwd, [...INPUTS, '--mosaic', 'dir'], 'dir: is a folder, expected a file path');
  // What the link leads to is the child's standard output: a pipe or a socket here, a file when redirected.
  await refused(t, cwd, [...INPUTS, '--report', 'fd1'], /^mnist-eval: fd1: is a link to \/proc\/self\/fd\/1, a (FIFO|socket|stream), expected a regular file or a new name \(- writes to standard output\)\n$/);
});

test('merge: --report a shard, or --predictions a shard\'s CSV, is refused and the shard is kept', async (t) => {
  const cwd = await workspace(t);
  for (const k of [0, 1]) {
    const run = await mnistEval([...SMALL, ...INPUTS, '--shard', `${k}/2`, '--report', `s${k}.json`, '--mosaic', `e${k}.png`, '--predictions', `p${k}.csv`], { cwd });
    t.is(run.code, 0, run.stderr);
  }
  await refused(t, cwd, ['merge', 's0.json', 's1.json', '--report', 's1.json'], 's1.json: given as --report, but it is an input (a partial report s1.json); an output must not replace an input');
  await refused(t, cwd, ['merge', 's0.json', 's1.json', '--report', 'm.json', '--predictions', 'link/../p0.csv'], "link/../p0.csv: given as --predictions, but it is an input (shard 0's predictions CSV p0.csv); an output must not replace an input");
});

test('--report - prints the report (the file\'s bytes, timings apart) and nothing else; --json with it prints it once', async (t) => {
  const cwd = await workspace(t);
  const file = await mnistEval([...SMALL, ...INPUTS, '--report', 'r.json', '--mosaic', 'a.png'], { cwd });
  t.is(file.code, 0, file.stderr);
  for (const extra of [[], ['--json']]) {
    const piped = await mnistEval([...SMALL, ...INPUTS, '--report', '-', '--mosaic', 'b.png', ...extra], { cwd });
    t.is(piped.code, 0, piped.stderr);
    t.is(piped.stderr, '');
    const withoutTimes = (text: string) => ({ ...JSON.parse(text), timing: undefined, resources: undefined, mosaic: undefined });
    t.deepEqual(withoutTimes(piped.stdout), withoutTimes(await readFile(join(cwd, 'r.json'), 'utf8')));
    t.is(piped.stdout.split('\n').length, (await readFile(join(cwd, 'r.json'), 'utf8')).split('\n').length, 'the same layout');
  }
  t.false((await readdir(cwd)).includes('-'), 'no file named -');
});

test('--predictions - prints the CSV after the files are written; the summary goes to stderr', async (t) => {
  const cwd = await workspace(t);
  const file = await mnistEval([...SMALL, ...INPUTS, '--predictions', 'p.csv', '--report', 'a.json'], { cwd });
  t.is(file.code, 0, file.stderr);
  const piped = await mnistEval([...INPUTS, '--limit', '200', '--predictions', '-', '--report', 'b.json'], { cwd });
  t.is(piped.code, 0, piped.stderr);
  t.is(piped.stdout, await readFile(join(cwd, 'p.csv'), 'utf8'));
  t.regex(piped.stderr, /accuracy 0\.\d{4} \(\d+ of 200 correct/);
  t.regex(piped.stderr, /wrote out\/errors\.png \(\d+ tiles\), out\/errors\.tiles\.json, b\.json, standard output\n$/);
  const quiet = await mnistEval([...SMALL, ...INPUTS, '--predictions', '-', '--report', 'c.json'], { cwd });
  t.is(quiet.stderr, '');
  t.is(quiet.stdout, piped.stdout);
  const merged = await mnistEval(['merge', '--quiet', 'b.json', '--report', '-'], { cwd });
  t.is(merged.code, 1, 'not a partial report: merge reads it before anything goes to stdout');
  t.is(merged.stdout, '');
});

const usage: Array<[string[], string]> = [
  [['--report', '-', '--predictions', '-'], '--report - and --predictions - both write to standard output; give - to one of them'],
  [['--json', '--predictions', '-'], '--json and --predictions - both write to standard output; give --report FILE for the report, or drop --json'],
  [['--mosaic', '-'], '--mosaic cannot be - (standard output takes only --report or --predictions)'],
  [['merge', 'a.json', '--html', '-'], 'merge: --html cannot be - (standard output takes only --report or --predictions)'],
];
for (const [args, line] of usage) {
  test(`- where standard output cannot take it is a usage error: ${args.join(' ')}`, async (t) => {
    const cwd = await workspace(t);
    const before = await disk(cwd);
    const run = await mnistEval(args, { cwd });
    t.is(run.code, 2);
    t.is(run.stderr.split('\n')[0], `mnist-eval: ${line}`);
    t.deepEqual(await disk(cwd), before);
  });
}

test('a target name of 255 bytes is written: the temporary name does not grow with it', async (t) => {
  const cwd = await workspace(t);
  const name = `${'r'.repeat(250)}.json`;
  const run = await mnistEval([...SMALL, ...INPUTS, '--report', name, '--predictions', `${'p'.repeat(251)}.csv`], { cwd });
  t.is(run.code, 0, run.stderr);
  const files = await readdir(cwd);
  t.true(files.includes(name));
  t.deepEqual(files.filter((file) => file.startsWith('.')), [], 'no temporary file left');
});

/** A stream that collects what is written, and calls `onText` with each piece synchronously. */
function capture(onText: (text: string) => void = () => {}): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({ write(chunk, _encoding, done) { text += chunk; onText(String(chunk)); done(); } });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

test('a commit that fails at its last rename keeps every previous output (bytes and mtime) and leaves no temporary', async (t) => {
  const cwd = await workspace(t);
  const out = join(cwd, 'out');
  await mkdir(out);
  const previous = ['p.csv', 'm.png', 'm.tiles.json', 'r.json'];
  for (const name of previous) {
    await writeFile(join(out, name), `previous ${name}\n`);
    await utimes(join(out, name), new Date('2020-01-01'), new Date('2020-01-01'));
  }
  const before = await disk(cwd);
  // Once the run has started (every output checked), the report's target becomes a non-empty
  // folder: the report is renamed last, so its rename is the one that fails.
  let replaced = false;
  const stderr = capture((text) => {
    if (replaced || !text.includes('evaluating')) return;
    replaced = true;
    rmSync(join(out, 'r.json'));
    mkdirSync(join(out, 'r.json'));
    writeFileSync(join(out, 'r.json', 'inside'), 'x');
  });
  const args = ['--weights', join(cwd, 'w.pkl'), '--images', join(cwd, 'images.gz'), '--labels', join(cwd, 'labels.gz'), '--limit', '300'];
  const outputs = ['--predictions', join(out, 'p.csv'), '--mosaic', join(out, 'm.png'), '--report', join(out, 'r.json')];
  const code = await main([...args, ...outputs], { stdout: capture().stream, stderr: stderr.stream });
  t.true(replaced);
  t.is(code, 1);
  t.is(stderr.text().split('\n').filter((line) => line.startsWith('mnist-eval:')).join('\n'), `mnist-eval: ${join(out, 'r.json')}: is a folder, expected a file path; no output was replaced`);
  const expected = before.filter((line) => !line.startsWith('out/r.json ')).concat('out/r.json dir ', 'out/r.json/inside file 1 ').sort();
  t.deepEqual((await disk(cwd)).map((line) => line.replace(/^(out\/r\.json\/inside file 1) .*$/, '$1 ')), expected);
});
