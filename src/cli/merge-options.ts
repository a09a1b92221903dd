import { UsageError } from '../errors.js';
import { COMMON_FLAGS, parseArgv, requirePaths } from './parse-argv.js';
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
  const parsed = parseArgv(argv, { report: { type: 'string' }, mosaic: { type: 'string' }, ...COMMON_FLAGS } as const, true, 'merge: ');
  const v = parsed.values;
  requirePaths(v, ['report', 'mosaic'], 'merge: ');
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
