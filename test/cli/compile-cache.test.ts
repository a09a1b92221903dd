/**
 * V8's compile cache, which bin/mnist-eval.js turns on where Node has it (module.enableCompileCache,
 * Node 22.1 and later) in os.tmpdir()/node-compile-cache: a run with it, a second run reading it,
 * and runs whose TMPDIR cannot hold it (missing, a file, under /proc, where Node's own recursive
 * mkdir never returns) all write the same files as a run under NODE_DISABLE_COMPILE_CACHE=1. On
 * Node 20 (no such API) the bin makes no folder at all.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistEval } from '../helpers/cli.js';
import { needsData } from '../helpers/data-dir.js';

needsData(test);

const HAS_COMPILE_CACHE = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const ARGS = ['--limit', '1000', '--report', 'report.json', '--mosaic', 'errors.png', '--quiet'];

const scratch = mkdtempSync(join(tmpdir(), 'mnist-eval-compile-cache-'));
test.after.always(() => rmSync(scratch, { recursive: true, force: true }));
let runs = 0;

interface Outputs {
  readonly report: unknown;
  readonly png: Buffer;
  readonly tiles: string;
}

/** One run with `env`, in a folder of its own: its files (the report without its timings), after a clean exit. */
async function runWith(env: NodeJS.ProcessEnv): Promise<Outputs> {
  const cwd = join(scratch, `run-${runs++}`);
  mkdirSync(cwd);
  // A run that hangs is killed, so that the test fails on its exit code rather than by ava's timeout.
  const run = await mnistEval(ARGS, { cwd, env, kill: { signal: 'SIGKILL', delayMs: 120_000 } });
  if (run.code !== 0) throw new Error(`exit ${run.code ?? run.signal}: ${run.stderr}`);
  const { timing, resources, ...report } = JSON.parse(readFileSync(join(cwd, 'report.json'), 'utf8')) as Record<string, unknown>;
  return { report, png: readFileSync(join(cwd, 'errors.png')), tiles: readFileSync(join(cwd, 'errors.tiles.json'), 'utf8') };
}

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);

let uncachedRun: Promise<Outputs> | undefined;
/** The run every other is compared with: no compile cache. */
const uncached = (): Promise<Outputs> => (uncachedRun ??= runWith({ NODE_DISABLE_COMPILE_CACHE: '1', NODE_COMPILE_CACHE: undefined }));

test('a run fills the cache in TMPDIR where Node has one (none on Node 20), and a second run reads it, with the same files as a run without', async (t) => {
  const tmp = mkdtempSync(join(scratch, 'tmp-'));
  const first = await runWith({ TMPDIR: tmp, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined });
  const cached = filesUnder(join(tmp, 'node-compile-cache'));
  if (HAS_COMPILE_CACHE) t.true(cached.length > 0, `no compile cache written under ${tmp}`);
  else t.deepEqual(readdirSync(tmp), [], 'Node 20 has no compile cache: the bin makes no folder');
  const second = await runWith({ TMPDIR: tmp, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined });
  const expected = await uncached();
  for (const outputs of [first, second]) {
    t.deepEqual(outputs.report, expected.report);
    t.true(outputs.png.equals(expected.png), 'the mosaic PNG, byte for byte');
    t.is(outputs.tiles, expected.tiles);
  }
  t.like(expected.report as { correct: number; total: number }, { correct: 932, total: 1000 });
});

/** TMPDIRs that cannot hold the cache: each run goes on without it. */
const UNUSABLE: readonly [string, () => string][] = [
  ['a folder that does not exist', () => join(scratch, 'missing', 'tmp')],
  ['a regular file', () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'not a folder');
    return file;
  }],
  ['a folder whose node-compile-cache is a regular file', () => {
    const dir = mkdtempSync(join(scratch, 'tmp-'));
    writeFileSync(join(dir, 'node-compile-cache'), 'not a folder');
    return dir;
  }],
  ['a folder whose node-compile-cache is a dangling symbolic link', () => {
    const dir = mkdtempSync(join(scratch, 'tmp-'));
    symlinkSync(join(scratch, 'nowhere'), join(dir, 'node-compile-cache'));
    return dir;
  }],
  // Node's recursive mkdir loops for ever where mkdir in an existing folder fails with ENOENT, as under /proc.
  ['/proc/nonexistent', () => '/proc/nonexistent'],
  ['/proc', () => '/proc'],
];

for (const [what, make] of UNUSABLE) {
  test(`a run whose TMPDIR is ${what} writes the same files, without a cache`, async (t) => {
    const outputs = await runWith({ TMPDIR: make(), NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined });
    const expected = await uncached();
    t.deepEqual(outputs.report, expected.report);
    t.true(outputs.png.equals(expected.png), 'the mosaic PNG, byte for byte');
    t.is(outputs.tiles, expected.tiles);
  });
}

test('NODE_COMPILE_CACHE naming a folder that cannot be made (a path under a file): Node goes on without a cache, with the same files', async (t) => {
  const file = join(scratch, 'cache-file');
  writeFileSync(file, 'not a folder');
  const outputs = await runWith({ NODE_COMPILE_CACHE: join(file, 'cache'), NODE_DISABLE_COMPILE_CACHE: undefined });
  const expected = await uncached();
  t.deepEqual(outputs.report, expected.report);
  t.true(outputs.png.equals(expected.png));
});
