/**
 * What the two runnable pipelines take: a run of the evaluation (`runEvaluation`) and a merge of
 * shards (`runMerge`). The CLI parses argv into these (adding its own flags: help, json, quiet,
 * debug); a program can fill them itself.
 */
import type { DatasetName } from '../src/datasets/named-datasets.js';
import type { ClassNamesSource } from '../src/datasets/class-names.js';
import type { MosaicOrder, Shard } from '../src/types.js';

export interface RunOptions {
  readonly images?: string;
  readonly labels?: string;
  /** A named dataset instead of images and labels. */
  readonly dataset?: DatasetName;
  /** First image to evaluate (default 0). */
  readonly offset: number;
  /** Most images to evaluate (default: all). */
  readonly limit?: number;
  /** Evaluate one part of the range and write a partial report. */
  readonly shard?: Shard;
  readonly weights?: string;
  readonly model?: string;
  /** Hidden activation of an MLP inferred from the weights; undefined: sigmoid. */
  readonly activation?: 'sigmoid' | 'relu' | 'tanh';
  /** torchvision's Normalize after the scaling to 0..1: (x − mean) / std. */
  readonly mean?: number;
  readonly std?: number;
  readonly precision?: 'float32' | 'float64';
  /** Images per forward pass; planned with the kernel, workers and threads (src/operators/forward-plan.ts). */
  readonly batchSize: number;
  /** The most bytes the weight arrays may take (--max-weights-mib). */
  readonly maxWeightBytes: number;
  /** Worker threads for the forward pass (0: the main thread); undefined: chosen by input size. */
  readonly workers?: number;
  readonly kernel: 'auto' | 'wasm' | 'js';
  /** Threads that split each batch on the main thread (wasm kernel); undefined: 1. */
  readonly threads?: number;
  readonly normalize: boolean;
  /** The mosaic PNG (its tile index goes beside it); undefined: no mosaic files (--no-mosaic). */
  readonly mosaic?: string;
  readonly mosaicCap: number;
  readonly mosaicOrder: MosaicOrder;
  /** Pixel scale of the digits in the mosaic. */
  readonly mosaicScale: number;
  /** The classes' names (--classes), in place of the dataset's own; undefined: the dataset's, else digits. */
  readonly classes?: ClassNamesSource;
  /** Where to write the HTML report, if anywhere. */
  readonly html?: string;
  /** The most images the HTML report keeps for each cell of its confusion matrix (default 2000). */
  readonly htmlCap?: number;
  /** A folder for the chart SVGs and PNGs, if any. */
  readonly charts?: string;
  readonly report: string;
  readonly predictions?: string;
}

export interface MergeRunOptions {
  /** The shards' partial reports. */
  readonly parts: readonly string[];
  readonly report: string;
  readonly mosaic: string;
  /** The HTML report, as a single run's `--html`. */
  readonly html?: string;
  /** A folder for the charts, as a single run's `--charts`. */
  readonly charts?: string;
  /** The predictions CSV, joined from the CSVs the shards wrote (each shard's `--predictions`). */
  readonly predictions?: string;
}
