import { UsageError } from '../errors.js';
import { COMMON_FLAGS, parseArgv, requirePaths } from './parse-argv.js';
import { checkStdoutOutputs } from './stdout-outputs.js';
import type { MergeRunOptions } from '../../pipelines/run-options.js';

export const MERGE_USAGE = `usage: mnist-eval merge PART.json … [options]

Joins the partial reports of the shards of one run (mnist-eval --shard K/N --report PART.json)
into the report a single run over the whole range gives, and draws its error mosaic from the
shards' tiles, without the dataset. Every shard 0..N-1 must be given, once, in any order.
The outputs are those of a single run, byte for byte (timings apart).

  --report PATH        merged JSON report (default out/report.json); - prints it on stdout
  --mosaic PATH        merged PNG of the misclassified images (default out/errors.png),
                       with its tile index beside it (errors.png: errors.tiles.json)
  --html PATH          the HTML report (summary, charts, confusion matrix, mosaic)
  --charts DIR         per-class.svg/.png and confusion.svg/.png
  --predictions PATH   the predictions CSV, joined in dataset order from the shards' own CSVs:
                       run each shard with --predictions too (its partial report records
                       where, relative to the report's folder, and stays small); -
                       prints it on stdout
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
  const paths = { report: { type: 'string' }, mosaic: { type: 'string' }, html: { type: 'string' }, charts: { type: 'string' }, predictions: { type: 'string' } } as const;
  const parsed = parseArgv(argv, { ...paths, ...COMMON_FLAGS } as const, true, 'merge: ');
  const v = parsed.values;
  requirePaths(v, Object.keys(paths), 'merge: ');
  checkStdoutOutputs(v, 'merge: ');
  const help = v.help ?? false;
  if (!help && parsed.positionals.length === 0) throw new UsageError('merge: give the partial reports to merge (PART.json …)');
  return {
    help,
    parts: parsed.positionals,
    report: v.report ?? 'out/report.json',
    mosaic: v.mosaic ?? 'out/errors.png',
    html: v.html,
    charts: v.charts,
    predictions: v.predictions,
    json: v.json ?? false,
    quiet: v.quiet ?? false,
    debug: v.debug ?? false,
  };
}
