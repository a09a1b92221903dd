/**
 * The records a run evaluates, checked against the dataset's size once its header is read: an
 * `--offset` past the end or a shard with no records is a usage error naming the range, before any
 * work, instead of a run over nothing that reports accuracy 0.
 */
import { InputError, UsageError } from '../errors.js';
import type { RecordRange, Shard } from '../types.js';
import { selectedRange, shardRange } from './shards.js';

export interface CheckedRange {
  /** The records `offset` and `limit` select, of the dataset's `size`. */
  readonly range: RecordRange & { readonly size: number };
  /** The records this process evaluates: the shard's part of `range`, or all of it. */
  readonly part: RecordRange;
}

const span = ({ start, end }: RecordRange) => `${start}..${end - 1}`;

/** `range` and `part` for a dataset of `size` records in `file`, or a UsageError when either is empty
 * (an InputError when the file itself holds no records). */
export function checkedRange(size: number, request: { readonly offset?: number; readonly limit?: number; readonly shard?: Shard }, file: string): CheckedRange {
  const offset = request.offset ?? 0;
  if (request.limit !== undefined && request.limit < 1) throw new UsageError(`--limit must be a whole number of at least 1, got '${request.limit}'`);
  if (size === 0) throw new InputError(file, 'declares 0 images: nothing to evaluate');
  if (offset >= size) throw new UsageError(`--offset ${offset} is past the end: ${file} holds ${size} images (0..${size - 1})`);
  const range = selectedRange(size, request);
  const part = request.shard === undefined ? range : shardRange(range, request.shard);
  if (part.end <= part.start) {
    const { index, count } = request.shard!;
    const n = range.end - range.start;
    throw new UsageError(`--shard ${index}/${count}: part ${index} of ${count} of images ${span(range)} is empty (${n} image${n === 1 ? '' : 's'} make at most ${n} shards)`);
  }
  return { range, part };
}
