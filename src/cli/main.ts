#!/usr/bin/env node
/** argv → options → the evaluation pipeline → exit code. No math and no stream logic here. */
import { parseCliOptions, USAGE } from './options.js';
import { InputError, UsageError, oneLine, redactUrls } from '../errors.js';
import { MERGE_USAGE, parseMergeOptions } from './merge-options.js';
import { formatReportJson } from '../report/report-json.js';
import { createProgress, type Progress } from './progress.js';
import { packageVersion } from '../datasets/data-files.js';
import { formatSummary } from '../report/summary.js';
import { findChartFont } from '../charts/chart-font.js';
import { capThreads } from '../operators/forward-plan.js';
import { writesStdout } from './stdout-outputs.js';
import type { Report } from '../types.js';

export const EXIT_INTERRUPTED = 130;

/** The signals that end a run, each with the exit status a shell gives a process they kill: 128 + the signal's number. */
export const EXIT_ON_SIGNAL: Readonly<Record<StopSignal, number>> = { SIGINT: EXIT_INTERRUPTED, SIGTERM: 143, SIGHUP: 129 };
type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** Where the CLI writes: the process's streams, or any writable (tests capture them). */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let debug = argv.includes('--debug');
  guardStdout(io.stdout);
  const controller = new AbortController();
  const stopListening = onInterrupt((signal) => controller.abort(new Interrupted(signal)));
  const command = argv[0] === 'merge' || argv[0] === 'generate' ? `${argv[0]} ` : '';
  try {
    if (argv[0] === 'merge') return await merge(argv.slice(1), io, controller.signal);
    if (argv[0] === 'generate') return await (await import('./generate-command.js')).generateCommand(argv.slice(1), io, controller.signal);
    const parsed = parseCliOptions(argv);
    debug = parsed.debug;
    if (parsed.help) return await print(io, USAGE);
    if (parsed.version) return await print(io, `mnist-eval ${packageVersion()}\n`);
    const log = parsed.quiet ? () => {} : (line: string) => io.stderr.write(`${redactUrls(line)}\n`);
    // More workers or threads than cores only cost memory and time: capped, with a warning.
    const { request: options, warnings } = capThreads(parsed);
    for (const warning of warnings) log(`mnist-eval: warning: ${warning}`);
    // The chart font is the user's setting: a missing one fails now, not after the run.
    if (options.charts !== undefined) findChartFont();
    const { runEvaluation } = await import('../../pipelines/run-evaluation.js');
    let progress: Progress | undefined;
    const onProgress = (done: number, total: number) => {
      progress ??= createProgress({ total, stream: io.stderr as NodeJS.WriteStream, enabled: !options.quiet });
      progress.update(done);
    };
    const report = await runEvaluation(options, { log, onProgress, signal: controller.signal, stdout: io.stdout }).finally(() => progress?.finish());
    // A signal during the commit let it finish (the outputs are all there): said, with the signal's status.
    if (controller.signal.reason instanceof Interrupted) return interruptedAfterCommit(io, controller.signal.reason);
    return await printResult(io, report, options);
  } catch (error) {
    if (error instanceof Interrupted) {
      io.stderr.write(`mnist-eval: interrupted; no output written${error.signal === 'SIGINT' ? '' : ` (${error.signal})`}\n`);
      return EXIT_ON_SIGNAL[error.signal];
    }
    if (error instanceof UsageError) {
      io.stderr.write(`mnist-eval: ${error.message}\n(see mnist-eval ${command}--help)\n`);
      if (debug) io.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    if (error instanceof InputError) {
      io.stderr.write(`mnist-eval: ${error.message}\n`);
      if (debug) io.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    const fileProblem = fileErrorOf(error);
    if (fileProblem !== undefined) {
      io.stderr.write(`mnist-eval: ${oneLine(fileProblem)}\n`);
      if (debug) io.stderr.write(`${(error as Error).stack}\n`);
      return 1;
    }
    io.stderr.write(`mnist-eval: internal error: ${oneLine((error as Error)?.message ?? String(error))}\n`);
    if (debug) io.stderr.write(`${(error as Error)?.stack}\n`);
    return 1;
  } finally {
    stopListening();
  }
}

/**
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP abort every run in progress; each run then stops its stages,
 * removes its temporary files and returns 128 + the signal's number. A second signal while that
 * cleanup runs exits at once with that status. One listener per signal for the process, however
 * many runs (tests call main many times at once): the process has one set of signals, so this is
 * the one piece of state kept at module level.
 *
 * Once every run has returned, the process should end by itself; if a stage still holds the event
 * loop (a read that no one can cancel), an unreferenced timer ends it after `EXIT_GRACE_MS`, with
 * the status the run returned.
 */
const STOP_SIGNALS = Object.keys(EXIT_ON_SIGNAL) as StopSignal[];
const EXIT_GRACE_MS = 500;
const interruptible = new Set<(signal: StopSignal) => void>();
let stopping: StopSignal | undefined;
const interruptAll = (signal: StopSignal): void => {
  if (stopping !== undefined) {
    // The cleanup's own line has not been written yet: this is the run's one line.
    process.stderr.write(`mnist-eval: interrupted again (${signal}) while cleaning up; exiting at once\n`);
    process.exit(EXIT_ON_SIGNAL[signal]);
  }
  stopping = signal;
  for (const abort of interruptible) abort(signal);
};
function onInterrupt(abort: (signal: StopSignal) => void): () => void {
  if (interruptible.size === 0) for (const signal of STOP_SIGNALS) process.on(signal, interruptAll);
  interruptible.add(abort);
  return () => {
    interruptible.delete(abort);
    if (interruptible.size > 0) return;
    for (const signal of STOP_SIGNALS) process.off(signal, interruptAll);
    if (stopping !== undefined) {
      const code = EXIT_ON_SIGNAL[stopping];
      stopping = undefined;
      setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
    }
  };
}

/** The signal came while the outputs were being committed: they are all written, and the status is still the signal's. */
function interruptedAfterCommit(io: CliIo, interrupted: Interrupted): number {
  io.stderr.write(`mnist-eval: interrupted (${interrupted.signal}) after the outputs were written\n`);
  return EXIT_ON_SIGNAL[interrupted.signal];
}

/** The terminal's summary of a run or a merge: accuracy, the confusion table, and the files written. */
function resultText(report: Report, options: { readonly report: string; readonly html?: string; readonly charts?: string }): string {
  const { path, sidecar, shown, leftOut } = report.mosaic;
  const mosaic = path === null ? [] : [`${path} (${shown} tiles${leftOut ? `, ${leftOut} left out` : ''})`, sidecar];
  const written = [...mosaic, options.report, report.predictions, options.html, options.charts].filter(Boolean);
  return `${formatSummary(report)}\n\nwrote ${written.join(', ')}\n`;
}

/** `mnist-eval merge PART.json …`: its errors reach main's handler like the run's. */
async function merge(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  const options = parseMergeOptions(argv);
  if (options.help) return print(io, MERGE_USAGE);
  const log = options.quiet ? () => {} : (line: string) => io.stderr.write(`${redactUrls(line)}\n`);
  const { runMerge } = await import('../../pipelines/merge-reports.js');
  const report = await runMerge(options, { log, stdout: io.stdout });
  // A merge does not stop for a signal (it takes none, and is short): its outputs are written, and the status is the signal's.
  if (signal.reason instanceof Interrupted) return interruptedAfterCommit(io, signal.reason);
  return printResult(io, report, options);
}

/** The summary on stdout, or the report with --json; with an output on stdout (`--report -`), the summary on stderr unless --quiet. */
function printResult(io: CliIo, report: Report, options: Parameters<typeof resultText>[1] & { readonly predictions?: string; readonly json: boolean; readonly quiet: boolean }): Promise<number> {
  if (!writesStdout(options)) return print(io, options.json ? formatReportJson(report) : resultText(report, options));
  if (!options.quiet) io.stderr.write(resultText(report, options).replaceAll(/(?<=wrote |, )-(?=,|\n)/g, 'standard output'));
  return Promise.resolve(0);
}

/**
 * A closed standard output (`mnist-eval | head -1`, `--json | true`) ends the run quietly: the
 * outputs were committed before stdout was written, so the run did its work and the exit status
 * stays 0 (not 141, the shell's status for a death by SIGPIPE). `print` reports any other error
 * on stdout (a full disk) as one line and exit 1; the stream's own 'error' event is handled here,
 * so that neither prints a stack trace.
 */
const guarded = new WeakSet<NodeJS.WritableStream>();
function guardStdout(stdout: NodeJS.WritableStream): void {
  if (guarded.has(stdout)) return;
  guarded.add(stdout);
  stdout.on('error', () => {}); // reported by print's callback
}

const readerGone = (error: NodeJS.ErrnoException): boolean => error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';

/** Writes the run's result to stdout and waits for it: exit 0 when written or when the reader has gone, 1 on another error. */
function print(io: CliIo, text: string | Uint8Array): Promise<number> {
  return new Promise((resolve) => {
    io.stdout.write(text, (error?: NodeJS.ErrnoException | null) => {
      if (error && !readerGone(error)) {
        io.stderr.write(`mnist-eval: standard output: ${oneLine(error.message)}\n`);
        resolve(1);
      } else {
        resolve(0);
      }
    });
  });
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder', EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EISDIR: 'is a folder', ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'already exists', ENAMETOOLONG: 'name too long', EINVAL: 'not a place files can be written', EXDEV: 'cannot rename across file systems',
};

/**
 * `<path>: <what is wrong>` for a file-system error that no stage turned into an InputError (an
 * output under /proc, a disk that fills up): the user's path, not an internal error. (Errors of a
 * staged output already name the output itself, not its temporary file: src/outputs/.)
 */
export function fileErrorOf(error: unknown): string | undefined {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof path !== 'string' || code === undefined || FILE_ERRORS[code] === undefined) return undefined;
  return `${path}: ${FILE_ERRORS[code]}`;
}

class Interrupted extends Error {
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href;
if (isEntry) {
  process.exitCode = await main(process.argv.slice(2));
}
