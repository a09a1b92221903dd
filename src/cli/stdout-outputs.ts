/** `-` as an output path: standard output, for the report or the predictions, one at a time. */
import { UsageError } from '../errors.js';

/** The output options a command takes, as parsed. */
interface OutputValues {
  readonly report?: string;
  readonly predictions?: string;
  readonly mosaic?: string;
  readonly html?: string;
  readonly charts?: string;
  readonly json?: boolean;
}

/**
 * Refuses `-` where standard output cannot take it: for the mosaic, the HTML page and the charts
 * (binary files or a folder), for both the report and the predictions (one stream, two files),
 * and for the predictions beside `--json` (which prints the report there). `--json --report -`
 * is the same as `--report -`.
 */
export function checkStdoutOutputs(v: OutputValues, prefix = ''): void {
  for (const name of ['mosaic', 'html', 'charts'] as const) {
    if (v[name] === '-') throw new UsageError(`${prefix}--${name} cannot be - (standard output takes only --report or --predictions)`);
  }
  if (v.report === '-' && v.predictions === '-') throw new UsageError(`${prefix}--report - and --predictions - both write to standard output; give - to one of them`);
  if (v.json && v.predictions === '-') throw new UsageError(`${prefix}--json and --predictions - both write to standard output; give --report FILE for the report, or drop --json`);
}

/** Whether an output goes to standard output: then the summary goes to stderr (unless --quiet), and nothing else to stdout. */
export const writesStdout = (v: OutputValues): boolean => v.report === '-' || v.predictions === '-';
