/**
 * The outputs' paths through the real command line: the mosaic's tile index has a name of its own,
 * a collision names both outputs, and a path no file can be created at (under /proc) is one line
 * at once, never a hang nor an internal error.
 */
import test from 'ava';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistEval, type Run } from '../helpers/cli.js';
import { withData } from '../helpers/data-dir.js';

const freshDir = () => mkdtemp(join(tmpdir(), 'mnist-eval-paths-'));
const SMALL = ['--limit', '200', '--quiet'];

test('--report run.json --mosaic run.png: the tile index is run.tiles.json, and the report says so', withData(async (t) => {
  const cwd = await freshDir();
  const run = await mnistEval([...SMALL, '--report', 'run.json', '--mosaic', 'run.png'], { cwd });
  t.is(run.code, 0, run.stderr);
  t.deepEqual((await readdir(cwd)).sort(), ['run.json', 'run.png', 'run.tiles.json']);
  const { mosaic } = JSON.parse(await readFile(join(cwd, 'run.json'), 'utf8'));
  t.is(mosaic.sidecar, 'run.tiles.json');
}));

const collisions: Array<[args: string[], line: string]> = [
  [['--report', 'out/x.tiles.json', '--mosaic', 'out/x.png'], "out/x.tiles.json: given as --report and as the mosaic's tile index (--mosaic out/x.png)"],
  [['--report', 'r.json', '--mosaic', 'm.png', '--predictions', 'r.json'], 'r.json: given as --report and as --predictions'],
  [['--report', 'r.json', '--mosaic', 'm.png', '--html', 'm.tiles.json'], "m.tiles.json: given as the mosaic's tile index (--mosaic m.png) and as --html"],
  [['--report', 'c/per-class.svg', '--mosaic', 'm.png', '--charts', 'c'], 'c/per-class.svg: given as --report and as a chart (--charts c)'],
];

for (const [args, line] of collisions) {
  test(`two outputs at one path name both: ${args.join(' ')}`, withData(async (t) => {
    const cwd = await freshDir();
    const run = await mnistEval([...SMALL, ...args], { cwd });
    t.is(run.code, 1);
    t.is(run.stderr, `mnist-eval: ${line}\n`);
    t.deepEqual(await readdir(cwd), [], 'nothing written');
  }));
}

/** Runs the CLI, failing the test (instead of hanging it) when it has not exited after 60 s. */
async function runBounded(t: import('ava').ExecutionContext, args: string[]): Promise<Run> {
  t.timeout(60_000, `mnist-eval ${args.join(' ')} did not exit`);
  return mnistEval(args, { cwd: await freshDir() });
}

const unwritable: Array<[args: string[], path: string, folder: string]> = [
  [['--report', '/proc/nope/r.json'], '/proc/nope/r.json', '/proc'],
  [['--report', '/proc/r.json'], '/proc/r.json', '/proc'],
  [['--mosaic', '/proc/nope/deeper/m.png'], '/proc/nope/deeper/m.png', '/proc'],
  [['--predictions', '/proc/self/p.csv'], '/proc/self/p.csv', '/proc/self'],
  [['--charts', '/proc/nope'], '/proc/nope/per-class.svg', '/proc'],
  [['--html', '/sys/r.html'], '/sys/r.html', '/sys'],
];

for (const [args, path, folder] of unwritable) {
  test(`an output nothing can be created at is one line, exit 1, at once: ${args.join(' ')}`, withData(async (t) => {
    const run = await runBounded(t, [...SMALL, ...args]);
    t.is(run.code, 1);
    t.is(run.stderr, `mnist-eval: ${path}: cannot write in ${folder} (${/\((\w+)\)/.exec(run.stderr)?.[1]})\n`);
    t.regex(run.stderr, /\((ENOENT|EACCES|EPERM|EROFS)\)\n$/);
  }));
}

test('merge: an output under /proc is one line too', async (t) => {
  const run = await runBounded(t, ['merge', 'part.json', '--report', '/proc/nope/r.json']);
  t.is(run.code, 1);
  t.regex(run.stderr, /^mnist-eval: \/proc\/nope\/r\.json: cannot write in \/proc \(E[A-Z]+\)\n$/);
});
