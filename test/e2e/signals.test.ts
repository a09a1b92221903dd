/**
 * Signals at any moment (#12): SIGINT, SIGTERM and SIGHUP sent to the real CLI at start-up, while
 * the weights load from a FIFO written slowly, while it waits for a FIFO or a standard input that
 * never writes, in the middle of the forward pass (main thread, one worker) and around the final
 * writes. Each run must end with 128 + the signal's number, one line on stderr besides the run's
 * own log, and no file at all in its folder: no output, no hidden `.…tmp` file, no folder.
 *
 * The bound on the time from the signal to the exit (60 s) is structural, not a speed claim: a
 * stage that does not hear the signal runs to its end or forever. The cases run concurrently, a
 * few at a time, so that a loaded machine does not stretch the start-ups into that bound.
 */
import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistEval, opens, type Kill, type RunOptions } from '../helpers/cli.js';
import { IMAGES_GZ, LABELS_GZ, needsData, SAMPLE_WEIGHT } from '../helpers/data-dir.js';
import { limiter } from '../helpers/limiter.js';

needsData(test);

const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const EXIT_BOUND_MS = 60_000;

/** What a case needs beyond its own folder: `inputs` is a folder outside it for FIFOs. */
interface Setup {
  readonly args: string[];
  readonly options?: Omit<RunOptions, 'cwd' | 'kill'>;
  readonly kill: Omit<Kill, 'signal'>;
  /** Ends what the case started (a FIFO's writer). */
  readonly cleanup?: () => void;
}

const OUTPUTS = ['--report', 'out/report.json', '--mosaic', 'out/errors.png', '--predictions', 'out/predictions.csv'];

function mkfifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

/** A writer of `fifo` that writes the first `bytes` of `file`, says so on its stdout, and then holds the FIFO open without writing. */
function slowWriter(fifo: string, file: string, bytes: number): { child: ChildProcess; written: Promise<unknown> } {
  const child = spawn('sh', ['-c', 'exec 3>"$1"; head -c "$3" "$2" >&3; echo written; exec sleep 60 3>&3', 'sh', fifo, file, String(bytes)], { stdio: ['ignore', 'pipe', 'ignore'] });
  return { child, written: once(child.stdout!, 'data') };
}

const STAGES: ReadonlyArray<{ readonly stage: string; readonly setup: (inputs: string) => Setup }> = [
  { stage: 'start-up', setup: () => ({ args: [...OUTPUTS], kill: { when: 'handled' } }) },
  {
    stage: 'weight loading (a FIFO written slowly)',
    setup: (inputs) => {
      const writer = slowWriter(mkfifo(join(inputs, 'weights.pkl')), SAMPLE_WEIGHT, 20_000);
      return { args: ['--weights', join(inputs, 'weights.pkl'), ...OUTPUTS], kill: { after: writer.written, delayMs: 200 }, cleanup: () => writer.child.kill() };
    },
  },
  {
    stage: 'reading a FIFO that never writes',
    setup: (inputs) => {
      const fifo = mkfifo(join(inputs, 'images'));
      return { args: ['--images', fifo, '--labels', LABELS_GZ, ...OUTPUTS], kill: { after: (pid) => opens(pid, fifo), delayMs: 200 } };
    },
  },
  {
    stage: 'reading labels from a FIFO that never writes',
    setup: (inputs) => {
      const fifo = mkfifo(join(inputs, 'labels'));
      return { args: ['--images', IMAGES_GZ, '--labels', fifo, ...OUTPUTS], kill: { after: (pid) => opens(pid, fifo), delayMs: 200 } };
    },
  },
  {
    stage: 'reading a standard input that never writes',
    // Nothing shows that the header peek has begun; it follows the start of the run by the time to load the pipeline (about a second through tsx).
    setup: () => ({ args: ['--images', '-', '--labels', LABELS_GZ, ...OUTPUTS], options: { stdin: 'open' }, kill: { when: 'handled', delayMs: 1500 } }),
  },
  {
    stage: 'the forward pass on the main thread',
    setup: () => ({ args: ['--dataset', 'mnist-train', '--workers', '0', ...OUTPUTS], kill: { when: 'evaluating', delayMs: 150 } }),
  },
  {
    stage: 'the forward pass with --workers 1',
    setup: () => ({ args: ['--dataset', 'mnist-train', '--workers', '1', ...OUTPUTS], kill: { when: 'evaluating', delayMs: 150 } }),
  },
  {
    stage: 'the final writes (--html, --charts)',
    // The test set's forward pass takes a few hundred milliseconds; the page and the charts follow.
    setup: () => ({ args: [...OUTPUTS, '--html', 'out/report.html', '--charts', 'out/charts'], kill: { when: 'evaluating', delayMs: 400 } }),
  },
];

const slot = limiter(4);

for (const { stage, setup } of STAGES) {
  for (const signal of SIGNALS) {
    test(`${signal} during ${stage}: exit ${EXIT[signal]}, one line, nothing written`, async (t) => {
      const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-signal-'));
      const inputs = await mkdtemp(join(tmpdir(), 'mnist-eval-signal-in-'));
      t.teardown(() => Promise.all([rm(cwd, { recursive: true, force: true }), rm(inputs, { recursive: true, force: true })]));
      await mkdir(cwd, { recursive: true });
      const run = await slot(async () => {
        const { args, options, kill, cleanup } = setup(inputs);
        try {
          return await mnistEval(args, { ...options, cwd, kill: { ...kill, signal } });
        } finally {
          cleanup?.();
        }
      });
      t.log(`exited ${Math.round(run.exitedAfterMs ?? NaN)} ms after the signal`);
      t.is(run.code, EXIT[signal], `${run.signal ?? ''} ${run.stderr}`);
      const lines = run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('evaluating '));
      t.deepEqual(lines, [`mnist-eval: interrupted; no output written${signal === 'SIGINT' ? '' : ` (${signal})`}`]);
      t.true(run.exitedAfterMs !== undefined && run.exitedAfterMs < EXIT_BOUND_MS, `exited ${run.exitedAfterMs} ms after the signal`);
      t.deepEqual(await readdir(cwd, { recursive: true }), [], 'no output, no temporary file, no folder');
      t.is(run.stdout, '');
    });
  }
}
