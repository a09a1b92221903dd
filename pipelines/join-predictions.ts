/**
 * `mnist-eval merge --predictions`: the shards' predictions CSVs joined into the one a single run
 * writes, byte for byte. Each shard writes its own CSV (`--shard K/N --predictions pred-K.csv`) and
 * its partial report records where, relative to the report's folder (`shard.predictions`), so a
 * partial report stays small however many images its shard holds. The parts are streamed in shard
 * (dataset) order: the header once, then each part's rows, each row's index checked against the
 * records of its shard, so a stale or foreign CSV is refused rather than joined.
 */
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../src/errors.js';
import { PREDICTIONS_HEADER } from '../src/operators/prediction-rows.js';
import type { StagedStream } from '../src/outputs/output-set.js';
import type { Report, ShardPart } from '../src/types.js';

/** A shard's partial report and the file it was read from. */
interface Part {
  readonly file: string;
  readonly report: Report & { readonly shard: ShardPart };
}

/** The CSV of each part, resolved from its report's folder; refuses a part that wrote none. */
export function predictionsOf(parts: readonly Part[]): string[] {
  return parts.map(({ file, report }) => {
    if (report.shard.predictions === undefined) {
      throw new InputError(file, 'has no predictions CSV, expected each shard run with --predictions for merge --predictions');
    }
    return join(dirname(file), report.shard.predictions);
  });
}

/** Writes the header, then the rows of every part's CSV (`files`, from `predictionsOf(parts)`; `parts` in shard order), into `out`. */
export async function joinPredictions(parts: readonly Part[], files: readonly string[], out: StagedStream): Promise<void> {
  await out.write(PREDICTIONS_HEADER);
  for (const [k, { report }] of parts.entries()) await copyRows(files[k], report.shard, out);
}

/** Copies the rows of one part's CSV, checking its header and that its rows are records start..end-1, in order. */
async function copyRows(file: string, shard: ShardPart, out: StagedStream): Promise<void> {
  let next = shard.start;
  let header = true;
  let carry = '';
  const covers = `shard ${shard.index} covers records ${shard.start}..${shard.end - 1}`;
  const checkLine = (line: string): void => {
    if (header) {
      if (`${line}\n` !== PREDICTIONS_HEADER) throw new InputError(file, `not a predictions CSV (first line ${JSON.stringify(line.slice(0, 60))}), expected ${JSON.stringify(PREDICTIONS_HEADER.trim())}`);
      header = false;
      return;
    }
    if (next === shard.end) throw new InputError(file, `has more than ${shard.end - shard.start} rows, expected one for each record (${covers})`);
    const index = line.slice(0, line.indexOf(','));
    if (Number(index) !== next || index === '') throw new InputError(file, `row ${next - shard.start + 1} is image ${JSON.stringify(index)}, expected ${next} (${covers})`);
    next++;
  };
  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
      const text = carry + (chunk as string);
      let from = 0;
      let rowsFrom = 0; // after the header, in the chunk that holds it
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', from)) {
        const wasHeader = header;
        checkLine(text.slice(from, end));
        from = end + 1;
        if (wasHeader) rowsFrom = from;
      }
      carry = text.slice(from);
      const rows = text.slice(rowsFrom, from);
      if (rows.length > 0) await out.write(rows);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? 'no such file (the predictions CSV of a shard, found from its partial report\'s folder)' : `cannot read (${code ?? (error as Error).message})`);
  }
  if (carry !== '') throw new InputError(file, 'ends in the middle of a row, expected a newline after the last row');
  if (header) throw new InputError(file, `empty file, expected ${JSON.stringify(PREDICTIONS_HEADER.trim())} and the rows of records ${shard.start}..${shard.end - 1}`);
  if (next !== shard.end) throw new InputError(file, `ends after ${next - shard.start} rows, expected ${shard.end - shard.start} for records ${shard.start}..${shard.end - 1}`);
}
