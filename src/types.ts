/**
 * The records that travel between the stages, declared once: a sample and a batch from the
 * sources, a batch with its predictions from the forward pass, the prediction record that the
 * error list, the mosaic, the sidecar and the HTML report all show, and the report itself.
 * Types only: importing this module runs nothing.
 */
import type { Precision } from './nn/network.js';

/**
 * One image with its label. `pixels` (rows × cols bytes, 0..255) is usually a view into a chunk
 * of the file shared with its neighbours: copy it (`slice()`) to keep it beyond the sample.
 */
export interface Sample {
  readonly index: number;
  readonly pixels: Uint8Array;
  readonly label: number;
}

/** Consecutive samples in contiguous arrays: image `i` is `pixels[i*size … (i+1)*size)`. */
export interface Batch {
  /** Dataset index of the first image. */
  readonly start: number;
  readonly count: number;
  /** Pixels per image: rows × cols. */
  readonly size: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/** A batch with the network's answer for each image. */
export interface PredictedBatch extends Batch {
  /**
   * The predicted class of each image (argmax of the output). Like `confidence`, a view into a
   * buffer the forward pass reuses for a later batch: copy it to keep it past this batch.
   */
  readonly predicted: Int32Array;
  /** The output probability of the predicted class. */
  readonly confidence: Float32Array;
  /**
   * Milliseconds of forward pass for this batch: its time in the kernel on this thread, or with
   * workers its share of the time during which at least one worker was computing.
   */
  readonly forwardMs: number;
}

/** The network's answer for one image: the record the error list, the mosaic and the reports show. */
export interface Prediction {
  /** Position of the image in the dataset, from 0. */
  readonly index: number;
  /** True label `t`. */
  readonly label: number;
  /** Predicted class, argmax of `y`. */
  readonly predicted: number;
  /** The network's output for the predicted class, 0..1. */
  readonly confidence: number;
}

/** A prediction with the image's pixels: a tile of the mosaic. */
export interface Misclassified extends Prediction {
  /** `rows * cols` grayscale pixels, 0..255, row-major (a view into the batch until a collector copies it). */
  readonly pixels: Uint8Array;
}

/** Records [start, end) of the dataset. */
export interface RecordRange {
  readonly start: number;
  readonly end: number;
}

/** One of `count` contiguous parts of a run (`--shard K/N`). */
export interface Shard {
  /** 0 … count-1. */
  readonly index: number;
  readonly count: number;
}

/**
 * Which misclassified digits the mosaic shows, and in what order.
 * - `'index'`: dataset order, the first `cap` errors.
 * - `'confidence'`: the most confident mistakes first (ties by dataset index), the `cap` worst ones.
 */
export type MosaicOrder = 'index' | 'confidence';

/** Counts of an evaluation. `confusion[t][p]` counts images of true label t predicted as p. */
export interface Evaluation {
  readonly total: number;
  readonly correct: number;
  readonly confusion: number[][];
  readonly forwardMs: number;
}

export interface ClassScore {
  readonly label: number;
  readonly total: number;
  readonly correct: number;
  /** correct / total, or null for a class with no images. */
  readonly accuracy: number | null;
}

/** The kinds of weight file `loadWeights` reads. */
/**
 * What a weight file was, told by its content: the book's pickle or .npz of numpy arrays, a PyTorch
 * state dict (zip or the legacy pickle sequence), safetensors, an ONNX model, a Keras 3 `.keras`
 * archive, a legacy Keras `.h5` model, or a Keras `.weights.h5` (weights only).
 */
export const WEIGHT_FORMATS = ['pickle', 'npz', 'torch-zip', 'torch-legacy', 'safetensors', 'onnx', 'keras', 'keras-h5', 'keras-weights-h5'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

/** The model that ran, as the report names it. */
export interface ModelInfo {
  readonly name: string;
  /** 'preset', 'inferred', or the path of the JSON model. */
  readonly source: string;
  readonly layers: string[];
  readonly parameters: number;
  readonly precision: Precision;
  readonly inputShape: readonly number[];
  /** 'logits': the model ends without a softmax; its classes are the argmax, the confidence their softmax. */
  readonly output: 'probabilities' | 'logits';
  /** How pixels became inputs, step by step: `x / 255`, `(x - 0.1307) / 0.3081`. */
  readonly preprocess: readonly string[];
  /** The file, its format (told by content) and what it says of the framework that wrote it. */
  readonly weights: { readonly path: string; readonly sha256: string; readonly format: WeightFormat; readonly metadata: Readonly<Record<string, string>> };
}

/** A kept tile as JSON: the error, and its rows × cols pixels in base64. */
export interface PartialTile extends Prediction {
  readonly pixels: string;
}

/**
 * What a shard's report adds so that `mnist-eval merge` can rebuild a single run's report and
 * its mosaic without the dataset: the shard's place, and the pixels of its first `mosaicCap`
 * errors in the mosaic's order.
 */
export interface ShardPart extends Shard, RecordRange {
  /** Image shape, for the mosaic. */
  readonly rows: number;
  readonly cols: number;
  readonly mosaicCap: number;
  readonly mosaicOrder: MosaicOrder;
  /** Pixel scale of the digits in the mosaic (default 2). */
  readonly mosaicScale?: number;
  /**
   * The shard's predictions CSV (`--predictions`), relative to the partial report's folder, when it
   * wrote one: `mnist-eval merge --predictions` joins the shards' CSVs, so the report stays small.
   */
  readonly predictions?: string;
  /** The shard's first `mosaicCap` errors in `mosaicOrder`, with their pixels. */
  readonly tiles: PartialTile[];
  /** The cap of the HTML report's images a confusion cell (--html-cap), and of `cellTiles`. */
  readonly htmlCap?: number;
  /** Of each confusion cell, the shard's first `htmlCap` errors in dataset order, with their pixels: a merge's HTML page shows them. */
  readonly cellTiles?: PartialTile[];
}

/** The JSON report of a run (`--report`), of a shard, or of a merge. */
export interface Report {
  readonly accuracy: number;
  readonly correct: number;
  readonly total: number;
  readonly misclassified: number;
  readonly confusion: number[][];
  readonly perClass: ClassScore[];
  /** The names of the classes 0, 1, … (--classes, or the dataset's); absent for digits. */
  readonly classes?: readonly string[];
  readonly normalize: boolean;
  readonly batchSize: number;
  readonly inputs: { readonly images: string; readonly labels: string; readonly weights: string; readonly weightsSha256: string };
  /** The model that ran: name, layers, parameter count, precision, input shape, weight file and its sha256. */
  readonly model: ModelInfo;
  /** The mosaic's files (null for both with --no-mosaic: none written) and its tiles, shown and left out. */
  readonly mosaic: { readonly path: string | null; readonly sidecar: string | null; readonly shown: number; readonly leftOut: number };
  readonly predictions: string | null;
  readonly timing: { readonly totalMs: number; readonly forwardMs: number };
  /**
   * How the forward pass ran: its kernel, on how many worker threads (0: the main thread), and
   * over how many threads the main thread's kernel split each batch; `alsoMainThread`: the main
   * thread ran batches too, whenever the workers were all busy (the default).
   */
  readonly forward: { readonly kernel: string; readonly workers: number; readonly threads: number; readonly alsoMainThread: boolean };
  /** The peak resident memory of the process, in MB (MiB), from `process.resourceUsage().maxRSS`. */
  readonly resources: { readonly peakRssMb: number };
  /** The records evaluated, [start, end), of the `size` in the dataset (--offset, --limit); a shard's is the whole run's. */
  readonly range: RecordRange & { readonly size: number };
  /** Every misclassified image, in dataset order. */
  readonly errors: readonly Prediction[];
  /** In a shard's partial report only: which part it is, and the pixels `mnist-eval merge` needs. */
  readonly shard?: ShardPart;
}
