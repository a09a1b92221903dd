/** mnist-eval's library API: re-exports only. */
export { InputError, UsageError } from './errors.js';
export { step, sigmoid, relu, softmax, stepValue, sigmoidValue, reluValue } from './nn/activations.js';
export { affineInto, argmaxRows, type FloatArray, type Matrix } from './nn/matrix.js';
export type { Layer, Network, Precision } from './nn/network.js';
export { createPredict, predict } from './nn/predict.js';
export { batch, packBatch, type Batch, type Sample } from './operators/batch.js';
export { forwardPass, type PredictedBatch } from './operators/forward-pass.js';
export { score, type Evaluation } from './operators/score.js';
export { misclassified, type Misclassified } from './operators/misclassified.js';
export { predictionRows } from './operators/prediction-rows.js';
export { readSamples$, readBatches$, readIdxHeaderOf } from './sources/mnist.js';
export { loadWeights } from './weights/load.js';
export { inferMlp } from './weights/infer-mlp.js';
export { renderMosaic } from './sinks/mosaic.js';
export { encodeMosaicPng, mosaicSidecar } from './sinks/write-mosaic.js';
export { TileCollector } from './sinks/mosaic-order.js';
export { formatSummary, perClass } from './sinks/report.js';
export { evaluation$, type EvaluationOptions, type EvaluationResult } from '../pipelines/evaluate.js';
