import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import type { MergeRunOptions } from '../../pipelines/run-options.js';

export const MERGE_USAGE = `usage: mnist-eval merge PART.json … [options]

Joins the partial reports of the shards of one run (mnist-eval --shard K/N --report PART.json)
into the report a single run over the whole range gives, and draws its error mosaic from the
shards' tiles, without the dataset. Every shard 0..N-1 must be given, once, in any order.

  --report PATH        merged JSON report (default out/report.json)
  --mosaic PATH        merged PNG of the misclassified images (default out/errors.png),
                       with its JSON sidecar beside it
  --json               print the merged report as JSON on stdout, nothing else there
  --quiet              no log lines on stderr
  --debug              print stack traces of errors
  --help               this text
`;

/** The merge's options, and the command line's own flags. */
export interface MergeOptions extends MergeRunOptions {
  readonly help: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly debug: boolean;
}

/** Options of `mnist-eval merge`, from the arguments after `merge`. */
export function parseMergeOptions(argv: readonly string[]): MergeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        report: { type: 'string' },
        mosaic: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        debug: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`merge: ${String((error as Error).message).split('\n')[0]}`);
  }
  const v = parsed.values;
  for (const name of ['report', 'mosaic'] as const) {
    if (v[name] === '') throw new UsageError(`merge: --${name} needs a path`);
  }
  const help = v.help ?? false;
  if (!help && parsed.positionals.length === 0) throw new UsageError('merge: give the partial reports to merge (PART.json …)');
  return {
    help,
    parts: parsed.positionals,
    report: v.report ?? 'out/report.json',
    mosaic: v.mosaic ?? 'out/errors.png',
    json: v.json ?? false,
    quiet: v.quiet ?? false,
    debug: v.debug ?? false,
  };
}
