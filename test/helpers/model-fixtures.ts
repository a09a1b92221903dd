/**
 * Model fixtures (test/fixtures/make-models.py, python3 + numpy), and evaluating a model through
 * the streaming pipeline to the prediction of every image.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lastValueFrom } from 'rxjs';
import { evaluation$ } from '../../pipelines/evaluate.js';
import { loadModel, type LoadedModel, type ModelOptions } from '../../src/model/load-model.js';
import { readSamples$ } from '../../src/sources/mnist.js';
import type { NdArray } from '../../src/weights/nd-array.js';
import { IMAGES_GZ, LABELS_GZ, ROOT as root } from './data-dir.js';

export { DATA_DIR as DATA, IMAGES_GZ, LABELS_GZ, SAMPLE_WEIGHT, SIMPLE_CONVNET } from './data-dir.js';
export { CONVNET_REFERENCE, MLP_REFERENCE } from './reference.js';

let fixtures: Promise<string> | undefined;

/** Runs make-models.py once per test process into a temp folder, removed at exit. Resolves to the file's path. */
export async function modelFixture(name: string): Promise<string> {
  fixtures ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-models-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await promisify(execFile)('python3', [join(root, 'test/fixtures/make-models.py'), dir]);
    return dir;
  })();
  return join(await fixtures, name);
}

export interface Predictions {
  readonly model: LoadedModel;
  /** The predicted class of every image, in dataset order. */
  readonly predictions: number[];
  readonly correct: number;
  readonly total: number;
  readonly confusion: number[][];
  readonly ms: number;
}

/** Loads the model and runs the evaluation pipeline over the MNIST test set (the first `limit` images). */
export async function predictionsOf(
  options: Omit<ModelOptions, 'imageShape'>,
  run: { readonly limit?: number; readonly normalize?: boolean; readonly batchSize?: number } = {},
): Promise<Predictions> {
  const model = await loadModel({ ...options, imageShape: [28, 28] });
  const predictions: number[] = [];
  const started = performance.now();
  const { evaluation } = await lastValueFrom(
    evaluation$(readSamples$(IMAGES_GZ, LABELS_GZ, { limit: run.limit, classes: model.network.outputSize }), model.network, {
      batchSize: run.batchSize ?? 100,
      normalize: run.normalize ?? true,
      mosaicCap: 1,
      onPredictionRows: (rows) => {
        for (const row of rows.trimEnd().split('\n')) predictions.push(Number(row.split(',')[2]));
      },
    }),
  );
  return { model, predictions, correct: evaluation.correct, total: evaluation.total, confusion: evaluation.confusion, ms: performance.now() - started };
}

/** How many of two prediction lists differ, and the first few places where they do. */
export function disagreement(ours: readonly number[], theirs: readonly number[]): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    if (ours[i] !== theirs[i]) {
      count++;
      if (first.length < 5) first.push(`image ${i}: ours ${ours[i]}, numpy ${theirs[i]}`);
    }
  }
  return { count, first };
}

/** An NdArray of float64 values, filled by `fill(i)`. */
export function f64(shape: number[], fill: (i: number) => number = () => 0): NdArray {
  const size = shape.reduce((n, d) => n * d, 1);
  return { shape, dtype: 'float64', data: Float64Array.from({ length: size }, (_, i) => fill(i)) };
}

/** An NdArray of float32 values, filled by `fill(i)`. */
export function f32(shape: number[], fill: (i: number) => number = () => 0): NdArray {
  const size = shape.reduce((n, d) => n * d, 1);
  return { shape, dtype: 'float32', data: Float32Array.from({ length: size }, (_, i) => fill(i)) };
}
