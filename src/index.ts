/** mnist-eval's library API: re-exports only. */
export { InputError, UsageError } from './errors.js';
export type {
  Batch, Evaluation, Misclassified, ModelInfo, PredictedBatch, Prediction, Prediction as ErrorEntry, RecordRange, Report, Sample, Shard, ShardPart,
} from './types.js';
export { step, sigmoid, relu, softmax, stepValue, sigmoidValue, reluValue } from './nn/activations.js';
export { argmaxRows, type FloatArray, type Matrix } from './nn/matrix.js';
export { affineInto } from './nn/affine.js';
export type { Layer, Network, Precision } from './nn/network.js';
export { describeLayers, parameterCount } from './nn/network.js';
export { convolutionInto, type ConvolutionLayer } from './nn/convolution.js';
export { maxPoolInto, type PoolingLayer } from './nn/pooling.js';
export { loadModel, readModel, type LoadedModel, type ModelOptions } from './model/load-model.js';
export { buildNetwork, type BuildOptions } from './model/build-network.js';
export { parseModelSpec, type LayerSpec, type ModelSpec } from './model/model-spec.js';
export { inferMlpSpec } from './model/infer-mlp-spec.js';
export { PRESETS, SIMPLE_CONVNET, DEEP_CONVNET, type Preset } from './model/presets.js';
export { createPredict, predict } from './nn/predict.js';
export { batch, packBatch } from './operators/batch.js';
export { forwardPass } from './operators/forward-pass.js';
export { score } from './operators/score.js';
export { misclassified } from './operators/misclassified.js';
export { predictionRows } from './operators/prediction-rows.js';
export { readSamples$, readBatches$, readIdxHeaderOf } from './sources/mnist.js';
export { loadWeights } from './weights/load.js';
export { inferMlp } from './model/infer-mlp.js';
export { renderMosaic } from './mosaic/render-mosaic.js';
export { encodeMosaicPng, mosaicSidecar } from './mosaic/sidecar.js';
export { TileCollector } from './mosaic/tile-collector.js';
export { formatSummary, perClass } from './report/summary.js';
export { evaluation$, type EvaluationOptions, type EvaluationResult } from '../pipelines/evaluate.js';
export { evaluateBatches$ } from '../pipelines/evaluate.js';
export { Credits } from './operators/credits.js';
export { ErrorList } from './report/error-list.js';
export { formatReportJson } from './report/report-json.js';
export { resolveShard, shardRange } from './sources/shards.js';
export { DATASET_NAMES, datasetFiles, type DatasetName } from './datasets/named-datasets.js';
export { generateDataset, readBaseSet, augmentInto, type GenerateOptions } from '../pipelines/generate-dataset.js';
export { mergeReports, readPartialReport, runMerge, type PartialReport } from '../pipelines/merge-reports.js';
