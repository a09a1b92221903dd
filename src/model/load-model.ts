/**
 * The I/O edge of models: resolve `--model` (a preset, a JSON file, or nothing to infer an MLP),
 * find and load the weight file, and build the checked network with what the report says of it.
 */
import { basename } from 'node:path';
import { dataDirs, findDataFile, sampleWeights } from '../datasets/data-files.js';
import { InputError, UsageError } from '../errors.js';
import { describePixelSteps, pixelSteps } from '../nn/input.js';
import { describeLayers, parameterCount, type Network, type Precision } from '../nn/network.js';
import { describeReadError, readAtMost } from '../weights/read-weight-file.js';
import { loadWeights } from '../weights/load.js';
import { buildNetwork } from './build-network.js';
import { chooseModelSpec } from './choose-model.js';
import type { HiddenActivation } from './infer-mlp-spec.js';
import { MAX_MODEL_BYTES, parseModelJson } from './model-json.js';
import { parseModelSpec, type ModelSpec } from './model-spec.js';
import { PRESETS, type Preset } from './presets.js';
import type { ModelInfo } from '../types.js';

export interface ModelOptions {
  /** A preset name (simple-convnet, deep-convnet) or the path of a JSON model; absent: an MLP inferred from W1, b1 … */
  readonly model?: string;
  /** The weight file. Default: the preset's file in the data folders, or the book's sample_weight.pkl. */
  readonly weights?: string;
  /** Hidden activation of an inferred MLP (default sigmoid). Models that are described name their own. */
  readonly activation?: HiddenActivation;
  /** Whether the run scales pixels to 0..1 (default true), for the report's account of the preprocessing. */
  readonly normalize?: boolean;
  /** torchvision's Normalize after the scaling: (x − mean) / std (default none). */
  readonly mean?: number;
  readonly std?: number;
  /** Compute precision; by default that of the weights (float64 if every array used is float64). */
  readonly precision?: Precision;
  /** Rows and columns of one image, from the IDX header. */
  readonly imageShape: readonly [number, number];
  readonly log?: (line: string) => void;
  /** The most bytes the weight arrays may take (default 2 GiB), refused before allocating. */
  readonly maxWeightBytes?: number;
  /** Where MNIST_EVAL_DATA_DIR is read from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Stops the load: the reads of the model and weight files end, and the signal's reason is thrown. */
  readonly signal?: AbortSignal;
}

export interface LoadedModel {
  readonly network: Network;
  readonly info: ModelInfo;
}

export async function loadModel(options: ModelOptions): Promise<LoadedModel> {
  const { signal } = options;
  const described = options.model === undefined ? undefined : await readModel(options.model, signal);
  const preset = described?.source === 'preset' ? (described.spec as Preset) : undefined;
  const env = options.env ?? process.env;
  const weightsPath = options.weights ?? (preset ? presetWeights(preset, env) : await sampleWeights({ log: options.log, env }));
  signal?.throwIfAborted();
  const weights = await loadWeights(weightsPath, { maxBytes: options.maxWeightBytes, signal });
  const file = basename(weightsPath);
  const spec = chooseModelSpec(described, weights, file, options.activation);
  const standardize = options.mean === undefined && options.std === undefined ? undefined : { mean: options.mean ?? 0, std: options.std ?? 1 };
  const network = buildNetwork(spec, weights.arrays, { file, imageShape: options.imageShape, precision: options.precision, standardize });
  return {
    network,
    info: {
      name: spec.name,
      source: described?.source ?? (weights.spec === undefined ? 'inferred' : weights.format),
      layers: describeLayers(network),
      parameters: parameterCount(network),
      precision: network.precision,
      inputShape: network.inputShape ?? [network.inputSize],
      output: network.output ?? 'probabilities',
      preprocess: describePixelSteps(pixelSteps(network, options.normalize ?? true)),
      weights: { path: weightsPath, sha256: weights.sha256, format: weights.format, metadata: weights.metadata },
    },
  };
}

/** A preset by name, or a JSON model file (its read stops when `signal` aborts). */
export async function readModel(model: string, signal?: AbortSignal): Promise<{ spec: ModelSpec; source: string }> {
  const preset = PRESETS.get(model);
  if (preset !== undefined) return { spec: preset, source: 'preset' };
  const file = basename(model);
  let bytes: Buffer | undefined;
  try {
    bytes = await readAtMost(model, MAX_MODEL_BYTES, signal);
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    if (!/[\\/]|\.json$/i.test(model)) {
      throw new UsageError(`--model must be ${[...PRESETS.keys()].join(', ')} or a JSON model file, got '${model}'`);
    }
    throw new InputError(file, `cannot read the model, ${describeReadError(error)}`);
  }
  if (bytes === undefined) throw new InputError(file, `more than ${MAX_MODEL_BYTES} bytes, over the limit for a model description`);
  const json = parseModelJson(bytes.toString('utf8'), file);
  return { spec: parseModelSpec(json, file, basename(model, '.json')), source: model };
}

function presetWeights(preset: Preset, env: NodeJS.ProcessEnv): string {
  const found = findDataFile(preset.weightsFile, env);
  if (found === undefined) {
    throw new InputError(preset.weightsFile, `not found in ${dataDirs(env).join(' or ')}; give the weights of model ${preset.name} with --weights, or set MNIST_EVAL_DATA_DIR to the folder that holds them`);
  }
  return found;
}
