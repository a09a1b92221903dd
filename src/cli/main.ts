#!/usr/bin/env node
/** argv → options → the evaluation pipeline → exit code. No math and no stream logic here. */
import { parseCliOptions, USAGE } from './options.js';
import { InputError, UsageError } from '../errors.js';
import { MERGE_USAGE, parseMergeOptions } from './merge-options.js';
import { formatReportJson } from '../report/report-json.js';
import { createProgress, type Progress } from './progress.js';
import { packageVersion } from '../datasets/data-files.js';
import { formatSummary } from '../report/summary.js';

export const EXIT_INTERRUPTED = 130;

/** Where the CLI writes: the process's streams, or any writable (tests capture them). */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let debug = argv.includes('--debug');
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Interrupted());
  process.once('SIGINT', onSigint);
  try {
    if (argv[0] === 'merge') return await merge(argv.slice(1), io);
    if (argv[0] === 'generate') return await (await import('./generate-command.js')).generateCommand(argv.slice(1), io, controller.signal);
    const options = parseCliOptions(argv);
    debug = options.debug;
    if (options.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (options.version) {
      io.stdout.write(`mnist-eval ${packageVersion()}\n`);
      return 0;
    }
    const log = options.quiet ? () => {} : (line: string) => io.stderr.write(`${line}\n`);
    const { runEvaluation } = await import('../../pipelines/run-evaluation.js');
    let progress: Progress | undefined;
    const onProgress = (done: number, total: number) => {
      progress ??= createProgress({ total, stream: io.stderr as NodeJS.WriteStream, enabled: !options.quiet });
      progress.update(done);
    };
    const report = await runEvaluation(options, { log, onProgress, signal: controller.signal }).finally(() => progress?.finish());
    if (options.json) {
      io.stdout.write(formatReportJson(report));
    } else {
      io.stdout.write(formatSummary(report) + '\n\n');
      io.stdout.write(`wrote ${report.mosaic.path} (${report.mosaic.shown} tiles${report.mosaic.leftOut ? `, ${report.mosaic.leftOut} left out` : ''}), ${report.mosaic.sidecar}, ${[options.report, report.predictions, options.html, options.charts].filter(Boolean).join(', ')}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof Interrupted) {
      io.stderr.write('mnist-eval: interrupted; no output written\n');
      return EXIT_INTERRUPTED;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`mnist-eval: ${error.message}\n(see mnist-eval --help)\n`);
      if (debug) io.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    if (error instanceof InputError) {
      io.stderr.write(`mnist-eval: ${error.message}\n`);
      if (debug) io.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    io.stderr.write(`mnist-eval: internal error: ${(error as Error)?.message ?? String(error)}\n`);
    if (debug) io.stderr.write(`${(error as Error)?.stack}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** `mnist-eval merge PART.json …`: its errors reach main's handler like the run's. */
async function merge(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseMergeOptions(argv);
  if (options.help) {
    io.stdout.write(MERGE_USAGE);
    return 0;
  }
  const log = options.quiet ? () => {} : (line: string) => io.stderr.write(`${line}\n`);
  const { runMerge } = await import('../../pipelines/merge-reports.js');
  const report = await runMerge(options, { log });
  if (options.json) {
    io.stdout.write(formatReportJson(report));
  } else {
    io.stdout.write(formatSummary(report) + '\n\n');
    io.stdout.write(`wrote ${report.mosaic.path} (${report.mosaic.shown} tiles${report.mosaic.leftOut ? `, ${report.mosaic.leftOut} left out` : ''}), ${report.mosaic.sidecar}, ${options.report}\n`);
  }
  return 0;
}

class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href;
if (isEntry) {
  process.exitCode = await main(process.argv.slice(2));
}
