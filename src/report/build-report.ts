/**
 * The one place a Report is put together, for a run, a merge of shards and the README's pictures:
 * the counts and the facts of the run in, the report with its derived fields (accuracy, the
 * per-class scores, the sidecar's path, the tiles left out) out, its keys always in the same order.
 */
import { basename, dirname, extname, join } from 'node:path';
import { accuracyOf, perClass } from './summary.js';
import type { Evaluation, ModelInfo, Prediction, Report, ShardPart } from '../types.js';

/** What a report is made from. */
export interface ReportFacts {
  /** The counts: images, correct ones, the confusion matrix, and the time spent in the forward pass. */
  readonly evaluation: Evaluation;
  /** Misclassified images in all, kept in the mosaic or not. */
  readonly misclassified: number;
  /**
   * Every misclassified image in dataset order, or a function that makes that list, called only
   * when the report's `errors` is first read (a run writes its file from the ErrorList instead).
   */
  readonly errors: readonly Prediction[] | (() => readonly Prediction[]);
  readonly normalize: boolean;
  readonly batchSize: number;
  readonly inputs: Report['inputs'];
  readonly model: ModelInfo;
  /** The mosaic's file and how many tiles it shows. */
  readonly mosaic: { readonly path: string | null; readonly shown: number };
  /** The predictions CSV, if one was written. */
  readonly predictions: string | null;
  /** Milliseconds from the start of the run to this report. */
  readonly totalMs: number;
  readonly forward: Report['forward'];
  readonly resources: Report['resources'];
  readonly range: Report['range'];
  /** The classes' names, if they have any. */
  readonly classes?: readonly string[];
  /** A shard's place and tiles, in a shard's partial report only. */
  readonly shard?: ShardPart;
}

/**
 * The mosaic's JSON sidecar, its tile index: beside the PNG, named `<stem>.tiles.json`
 * (`errors.png` → `errors.tiles.json`), a name of its own, so that `--report run.json --mosaic run.png` do not meet.
 */
export const sidecarPath = (mosaicPath: string): string =>
  join(dirname(mosaicPath), `${basename(mosaicPath, extname(mosaicPath))}.tiles.json`);

/** The peak resident memory of this process so far, in MiB to one decimal: a report's `resources.peakRssMb`. */
export const peakRssMb = (): number => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

export function buildReport(facts: ReportFacts): Report {
  const { evaluation, misclassified, mosaic, errors } = facts;
  let made: readonly Prediction[] | undefined;
  return {
    accuracy: accuracyOf(evaluation),
    correct: evaluation.correct,
    total: evaluation.total,
    misclassified,
    confusion: evaluation.confusion,
    perClass: perClass(evaluation.confusion),
    ...(facts.classes === undefined ? {} : { classes: facts.classes }),
    normalize: facts.normalize,
    batchSize: facts.batchSize,
    inputs: facts.inputs,
    model: facts.model,
    mosaic: { path: mosaic.path, sidecar: mosaic.path === null ? null : sidecarPath(mosaic.path), shown: mosaic.shown, leftOut: misclassified - mosaic.shown },
    predictions: facts.predictions,
    timing: { totalMs: facts.totalMs, forwardMs: evaluation.forwardMs },
    forward: facts.forward,
    resources: facts.resources,
    range: facts.range,
    get errors() {
      return typeof errors === 'function' ? (made ??= errors()) : errors;
    },
    ...(facts.shard === undefined ? {} : { shard: facts.shard }),
  };
}
