import { DATASET_NAMES, isDatasetName, type DatasetName } from '../datasets/named-datasets.js';
import { UsageError } from '../errors.js';
import { COMMON_FLAGS, parseArgv, requirePaths } from './parse-argv.js';
import { checkStdoutOutputs } from './stdout-outputs.js';
import type { RunOptions } from '../../pipelines/run-options.js';
import { resolveShard } from '../sources/shards.js';
import { MAX_BATCH_SIZE, MAX_THREADS, MAX_WORKERS } from '../operators/forward-plan.js';
import { MAX_MOSAIC_CAP, MAX_MOSAIC_SCALE, mosaicTooLarge } from '../mosaic/mosaic-limits.js';
import { MAX_LIMIT_BYTES } from '../weights/decode-array.js';
import { classNamesFromList, type ClassNamesSource } from '../datasets/class-names.js';
import { DEFAULT_HTML_CAP, MAX_HTML_CAP } from '../html/html-limits.js';

/** `--classes`: a value with a comma is the list of names, anything else a file of them. */
function classesOption(value: string | undefined): ClassNamesSource | undefined {
  if (value === undefined) return undefined;
  return value.includes(',') ? classNamesFromList(value) : { file: value };
}

export const USAGE = `usage: mnist-eval [options]
       mnist-eval COMMAND … [options]    (see mnist-eval COMMAND --help)

Commands:
  merge PART.json …    join the partial reports of a sharded run (--shard) into one report
  generate --count N   write an IDX dataset of N images made from a base set (for testing)

Evaluates a trained network on MNIST IDX images and labels, as a stream.
Without options: the book's sample_weight.pkl on the MNIST test set, writing
out/errors.png and out/report.json.

  --images PATH        IDX images: raw, .gz, or .zip (archive.zip:entry picks an entry)
  --labels PATH        IDX labels: raw, .gz, or .zip (may be the same .zip as --images)
                       (- reads either one from standard input); given one of the two,
                       the other is the file beside it by the MNIST names (x-images-idx3-
                       ubyte.gz and x-labels-idx1-ubyte.gz, *-images* and *-labels*)
  --dataset NAME       mnist-test (the default), mnist-train, fashion-test or
                       fashion-train, instead of --images/--labels; Fashion-MNIST is
                       read from fashion-mnist/ in a data folder, else from Debian's
                       dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), and
                       names its classes
  --classes NAMES|FILE names of the classes 0, 1, …: NAME,NAME,… (a value with a
                       comma), or a UTF-8 file of one name a line; one for each of the
                       network's outputs, none empty or twice (default: the dataset's
                       names, else the digits)
  --offset N           start at image N, counted from 0 (default 0); past the end is
                       a usage error
  --limit N            evaluate at most N images (at least 1)
  --shard K/N          evaluate only part K (0..N-1) of N contiguous parts and write a
                       partial report that \`mnist-eval merge\` joins; --shard env reads K
                       (and N) from MNIST_EVAL_SHARD_INDEX/_COUNT, JOB_COMPLETION_INDEX
                       (Kubernetes) or SLURM_ARRAY_TASK_ID/_COUNT
  --shard-count N      N for --shard env (given alone, it implies --shard env)
  --weights PATH       weights, told by their content: a pickle or .npz of numpy
                       arrays, a PyTorch state dict (.pt), safetensors, ONNX, Keras
                       (.keras, .h5, .weights.h5) (default: the model's file in the
                       data folder); ONNX and Keras models bring their own layers
  --model NAME|PATH    simple-convnet (the book's ch. 7), deep-convnet (ch. 8), or a
                       JSON file listing the layers and the arrays each one uses;
                       without it a file's 2-D weights are read as an MLP, in order
  --activation NAME    hidden-layer activation of an MLP without --model:
                       sigmoid (default), relu or tanh
  --mean M, --std S    after scaling to 0..1, feed (x - M) / S, as torchvision's
                       Normalize (default none)
  --precision NAME     compute in float32 or float64 (default: float64 if the
                       weights are all float64, else float32)
  --batch-size N       images per forward pass (default 100, at most 65536)
  --max-weights-mib N  refuse weight files whose loading would take more than N MiB
                       (arrays, strings, bytes; default 2048, at most 1048576),
                       before allocating them
  --workers N          worker threads for the forward pass; 0 runs it on the main
                       thread (default: from 20,000 images, on 3 cores or more (2 for
                       a convnet), one worker, with the main thread running batches
                       too whenever the worker has one);
                       at most the number of cores (more are capped, with a warning)
  --threads N          threads that split each batch of the wasm kernel on the main
                       thread when there are no workers (default 1, at most 64;
                       capped to the cores)
  --kernel NAME        forward-pass kernel: auto (default: wasm where the network
                       allows, else js), wasm (WebAssembly SIMD: float32 MLPs with
                       relaxed SIMD where Node has it, float64 convnets) or js
                       (plain JavaScript, float64 sums)
  --no-normalize       keep pixels at 0..255 instead of scaling to 0..1 (the classic bug)
  --mosaic PATH        PNG of the misclassified images (default out/errors.png),
                       with its tile index beside it (NAME.tiles.json: tile → image)
  --no-mosaic          write neither the mosaic nor its tile index (the report's
                       mosaic.path and .sidecar are null; --html still shows the mosaic)
  --mosaic-cap N       at most N tiles in the mosaic (default 400, at most 100000;
                       the tiles at --mosaic-scale must fit 2^28 pixels)
  --mosaic-order NAME  index (dataset order, the default) or confidence (the most
                       confident mistakes first, as "top losses")
  --mosaic-scale N     pixel scale of the digits in the mosaic (default 2, at most 64)
  --html PATH          a self-contained HTML report: summary, charts, a confusion
                       matrix whose cells show their images, and the mosaic
  --html-cap N         at most N images in each cell of the HTML report's matrix
                       (default 2000, at most 10000; the page says when a cell has more)
  --charts DIR         per-class accuracy and confusion-matrix charts, SVG and PNG
  --report PATH        JSON report (default out/report.json); - prints it on stdout
  --predictions PATH   CSV with index,label,predicted,confidence for every image; -
                       prints it on stdout (after the files are written; the summary
                       then goes to stderr)
  --json               print the report as JSON on stdout, nothing else there
  --quiet              no progress or log lines on stderr
  --debug              print stack traces of errors
  --version            the version of mnist-eval
  --help               this text

Environment:
  MNIST_EVAL_DATA_DIR  folder searched first for the default files (sample_weight.pkl and
                       the other models' weights, the MNIST test set)
  MNIST_EVAL_SHARD_INDEX, MNIST_EVAL_SHARD_COUNT
                       the shard of --shard env; also a Kubernetes Indexed Job's
                       JOB_COMPLETION_INDEX, and a SLURM array's SLURM_ARRAY_TASK_ID
                       (counted from SLURM_ARRAY_TASK_MIN) and SLURM_ARRAY_TASK_COUNT
  MNIST_EVAL_CHART_FONT  a TTF or OTF file for the text of --charts PNGs (default: DejaVu
                       Sans, or another font found on the system), whose family is
                       MNIST_EVAL_CHART_FONT_FAMILY (default "DejaVu Sans")

Exit status:
  0    success; also when standard output is closed early (mnist-eval | head -1):
       the output files are written before anything is printed
  1    a bad input file, or an output that cannot be written (one line on stderr)
  2    wrong usage: an unknown option, a bad value, an empty --offset/--limit/--shard range
  130  interrupted (Ctrl-C); no output written
`;

/** The evaluation's options, and the command line's own flags. */
export interface CliOptions extends RunOptions {
  readonly help: boolean;
  readonly version: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly debug: boolean;
}

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be a whole number, got '${value}'`);
  }
  return Number(value);
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be a whole number of at least 1, got '${value}'`);
  }
  return Number(value);
}

/**
 * `--name`'s value, a whole number from 1 to `max` (`fallback` when not given); `why` says what
 * the upper bound protects, in the message.
 */
function boundedInteger(name: string, value: string | undefined, fallback: number, max: number, why: string): number {
  const n = positiveInteger(name, value, fallback);
  if (n > max) throw new UsageError(`--${name} must be at most ${max} (${why}), got '${value}'`);
  return n;
}

/** MNIST's image size: the mosaic's bounds are checked at it before anything is read (and at the real size once the header is). */
const MNIST_IMAGE = { rows: 28, cols: 28 } as const;

/** `--mosaic-cap` and `--mosaic-scale`, each bounded, and together a canvas the renderer can draw. */
function mosaicBounds(v: { readonly 'mosaic-cap'?: string; readonly 'mosaic-scale'?: string }): { readonly mosaicCap: number; readonly mosaicScale: number } {
  const mosaicCap = boundedInteger('mosaic-cap', v['mosaic-cap'], 400, MAX_MOSAIC_CAP, 'tiles kept in memory and drawn');
  const mosaicScale = boundedInteger('mosaic-scale', v['mosaic-scale'], 2, MAX_MOSAIC_SCALE, 'pixels a digit pixel becomes, each way');
  const tooLarge = mosaicTooLarge(mosaicCap, { ...MNIST_IMAGE, scale: mosaicScale });
  if (tooLarge !== undefined) throw new UsageError(`--mosaic-cap ${mosaicCap} --mosaic-scale ${mosaicScale}: ${tooLarge}; lower either`);
  return { mosaicCap, mosaicScale };
}

function workerCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > MAX_WORKERS) throw new UsageError(`--workers must be a whole number from 0 to ${MAX_WORKERS}, got '${value}'`);
  return Number(value);
}

function kernelChoice(value: string | undefined): 'auto' | 'wasm' | 'js' {
  if (value === undefined || value === 'auto' || value === 'wasm' || value === 'js') return value ?? 'auto';
  throw new UsageError(`--kernel must be auto, wasm or js, got '${value}'`);
}

// One line an option, as parseArgs needs them to type its values.
const OPTIONS = {
  images: { type: 'string' },
  labels: { type: 'string' },
  dataset: { type: 'string' },
  offset: { type: 'string' },
  limit: { type: 'string' },
  shard: { type: 'string' },
  'shard-count': { type: 'string' },
  weights: { type: 'string' },
  model: { type: 'string' },
  activation: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  precision: { type: 'string' },
  'batch-size': { type: 'string' },
  'max-weights-mib': { type: 'string' },
  workers: { type: 'string' },
  kernel: { type: 'string' },
  threads: { type: 'string' },
  'no-normalize': { type: 'boolean' },
  mosaic: { type: 'string' },
  'no-mosaic': { type: 'boolean' },
  'mosaic-cap': { type: 'string' },
  'mosaic-order': { type: 'string' },
  'mosaic-scale': { type: 'string' },
  classes: { type: 'string' },
  html: { type: 'string' },
  'html-cap': { type: 'string' },
  charts: { type: 'string' },
  report: { type: 'string' },
  predictions: { type: 'string' },
  ...COMMON_FLAGS,
} as const;

export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const parsed = parseArgv(argv, OPTIONS, false);
  const v = parsed.values;
  requirePaths(v, ['images', 'labels', 'weights', 'model', 'mosaic', 'report', 'predictions', 'html', 'charts', 'classes']);
  checkStdoutOutputs(v);
  if (v.dataset !== undefined && !isDatasetName(v.dataset)) {
    throw new UsageError(`--dataset must be ${DATASET_NAMES.slice(0, -1).join(', ')} or ${DATASET_NAMES.at(-1)}, got '${v.dataset}'`);
  }
  if (v.dataset !== undefined && (v.images !== undefined || v.labels !== undefined)) {
    throw new UsageError('--dataset names both files; give it or --images/--labels, not both');
  }
  const activation = v.activation;
  if (activation !== undefined && activation !== 'sigmoid' && activation !== 'relu' && activation !== 'tanh') {
    throw new UsageError(`--activation must be sigmoid, relu or tanh, got '${activation}'`);
  }
  if (v.activation !== undefined && v.model !== undefined) {
    throw new UsageError('--activation applies to an MLP read from W1, b1 …; a --model names its own activations');
  }
  if (v['no-mosaic'] && v.mosaic !== undefined) throw new UsageError('--no-mosaic writes no mosaic; give it or --mosaic, not both');
  const mosaicOrder = v['mosaic-order'] ?? 'index';
  if (mosaicOrder !== 'index' && mosaicOrder !== 'confidence') {
    throw new UsageError(`--mosaic-order must be index or confidence, got '${mosaicOrder}'`);
  }
  const precision = v.precision;
  if (precision !== undefined && precision !== 'float32' && precision !== 'float64') {
    throw new UsageError(`--precision must be float32 or float64, got '${precision}'`);
  }
  return {
    help: v.help ?? false,
    version: v.version ?? false,
    images: v.images,
    labels: v.labels,
    dataset: v.dataset as DatasetName | undefined,
    offset: wholeNumber('offset', v.offset) ?? 0,
    limit: v.limit === undefined ? undefined : positiveInteger('limit', v.limit, 0),
    shard: resolveShard(v.shard, v['shard-count'], env),
    weights: v.weights,
    model: v.model,
    activation,
    mean: finiteNumber('mean', v.mean),
    std: finiteNumber('std', v.std, true),
    precision,
    batchSize: boundedInteger('batch-size', v['batch-size'], 100, MAX_BATCH_SIZE, "the kernels' buffers hold one batch"),
    maxWeightBytes: boundedInteger('max-weights-mib', v['max-weights-mib'], 2048, MAX_LIMIT_BYTES / 2 ** 20, 'a larger limit would be no limit') * 2 ** 20,
    workers: workerCount(v.workers),
    kernel: kernelChoice(v.kernel),
    threads: v.threads === undefined ? undefined : boundedInteger('threads', v.threads, 1, MAX_THREADS, 'more are capped to the cores'),
    normalize: !(v['no-normalize'] ?? false),
    mosaic: v['no-mosaic'] ? undefined : v.mosaic ?? 'out/errors.png',
    ...mosaicBounds(v),
    mosaicOrder,
    classes: classesOption(v.classes),
    html: v.html,
    htmlCap: boundedInteger('html-cap', v['html-cap'], DEFAULT_HTML_CAP, MAX_HTML_CAP, "images kept in memory and inlined in the page, for each cell"),
    charts: v.charts,
    report: v.report ?? 'out/report.json',
    predictions: v.predictions,
    json: v.json ?? false,
    quiet: v.quiet ?? false,
    debug: v.debug ?? false,
  };
}

/** A finite number given as text (`--mean 0.1307`), above 0 when `positive`; undefined when not given. */
function finiteNumber(name: string, text: string | undefined, positive = false): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || (positive && !(value > 0))) {
    throw new UsageError(`--${name} must be ${positive ? 'a number above 0' : 'a number'}, got '${text}'`);
  }
  return value;
}
