import { Observable, type OperatorFunction } from 'rxjs';
import { createForwardKernel, type ForwardKernel } from '../kernels/forward-kernel.js';
import type { Network } from '../nn/network.js';
import { ForwardPool, type PoolResult } from '../workers/forward-pool.js';
import type { ThreadSource } from '../workers/threads.js';
import type { Batch, PredictedBatch } from '../types.js';
import { checkBatchSize } from './forward-pass.js';
import type { ForwardPlan } from './forward-plan.js';

/**
 * What the pool uses of the plan. `shareWithMain`: run a batch on the main thread whenever every
 * worker already has one; with one worker, both cores compute, one batch each, and the
 * hand-over's latency is hidden.
 */
export type WorkersPlan = Pick<ForwardPlan, 'batchSize' | 'normalize' | 'kernel' | 'workers' | 'shareWithMain'>;

/** How the pool runs, beyond the plan (tests and the bench set these). */
export interface PoolOptions {
  /** Where the workers come from (default: started on subscribe). */
  readonly threadSource?: ThreadSource;
  /** Batches out at once (default 2 per worker). */
  readonly maxInFlight?: number;
  /** The worker's script (default: the one beside the pool; the bench passes the bundled one). */
  readonly entry?: URL;
  /** Run batches on the main thread until the first worker is ready (default true). */
  readonly coverStartUp?: boolean;
}

/**
 * The union of the workers' busy intervals, measured as batches are emitted: each batch adds the
 * part of its [started, finished] that no earlier batch covered. So the summed `forwardMs` is the
 * wall time during which at least one worker was computing, comparable to a forward pass on one
 * thread. Intervals ending before the oldest batch still out are dropped (none can overlap them).
 */
function busyUnion(): { add(started: number, finished: number): number; prune(before: number): void } {
  let spans: [number, number][] = [];
  return {
    add(started, finished) {
      let added = finished - started;
      for (const [s, f] of spans) added -= Math.max(0, Math.min(f, finished) - Math.max(s, started));
      const merged: [number, number] = [started, finished];
      spans = spans.filter(([s, f]) => {
        if (f < merged[0] || s > merged[1]) return true;
        merged[0] = Math.min(merged[0], s);
        merged[1] = Math.max(merged[1], f);
        return false;
      });
      spans.push(merged);
      return Math.max(0, added);
    },
    prune(before) {
      spans = spans.filter(([, f]) => f >= before);
    },
  };
}

function withoutPixels({ pixels: _, ...rest }: Batch): Omit<Batch, 'pixels'> {
  return rest;
}

/**
 * The forward pass on a pool of worker threads, emitting in dataset order. At most `maxInFlight`
 * batches are out at once: when all slots are taken, `next` waits (blocking) for a worker to
 * finish, so a fast source is held back instead of piling batches up in memory. The pool starts
 * on subscribe and its workers end on complete, error or unsubscribe. Until the first worker has
 * built its kernel, the main thread runs the batches itself, as `forwardPass` does,
 * rather than wait.
 *
 * Written as an Observable rather than `mergeMap(…, concurrency)` + reordering: mergeMap buffers
 * every value above its concurrency, which is the unbounded memory this operator exists to avoid.
 */
export function forwardPassInWorkers(network: Network, plan: WorkersPlan, options: PoolOptions = {}): OperatorFunction<Batch, PredictedBatch> {
  const { normalize, shareWithMain } = plan;
  const coverStartUp = options.coverStartUp ?? true;
  return (source) =>
    new Observable<PredictedBatch>((subscriber) => {
      const pool = new ForwardPool(network, { ...options, workers: plan.workers, kernel: plan.kernel, normalize, maxBatchSize: plan.batchSize });
      // A batch out is kept without its pixels: they are in its slot. Holding the source's view
      // would keep the 1 MiB read chunk under it alive across event-loop turns, long enough for V8
      // to move it to the old generation, where only a full collection frees it, and the main thread
      // waits in Atomics.wait, where the tasks that finish a collection do not run.
      const waiting = new Map<number, { batch: Omit<Batch, 'pixels'>; dispatched: number; result?: PoolResult }>();
      const busy = busyUnion();
      const now = (): number => performance.timeOrigin + performance.now();
      let local: ForwardKernel | undefined;
      let sent = 0;
      let emitted = 0;

      const take = (result: PoolResult): void => {
        waiting.get(result.seq)!.result = result;
      };
      const emitReady = (): void => {
        for (let entry = waiting.get(emitted); entry?.result !== undefined && !subscriber.closed; entry = waiting.get(emitted)) {
          const { batch, result } = entry;
          waiting.delete(emitted++);
          const forwardMs = busy.add(result.started, result.finished);
          const oldest = waiting.get(emitted);
          if (oldest !== undefined) busy.prune(oldest.dispatched - 10); // 10 ms of slack between the two clocks
          subscriber.next({
            ...batch,
            pixels: new Uint8Array(result.slot, 0, batch.count * batch.size),
            predicted: new Int32Array(result.slot, pool.layout.predicted, batch.count),
            confidence: new Float32Array(result.slot, pool.layout.confidence, batch.count),
            forwardMs,
          });
          pool.release(result.slot);
        }
      };
      const drain = (block: boolean): void => {
        for (let result = pool.receive(block); result !== undefined; result = pool.receive(false)) take(result);
        emitReady();
      };

      const subscription = source.subscribe({
        next: (batch) => {
          try {
            checkBatchSize(batch, plan);
            drain(false);
            const starting = coverStartUp && pool.readyWorkers === 0;
            const sharing = shareWithMain && pool.readyWorkers > 0 && !pool.hasIdleWorker() && pool.inFlight < pool.maxInFlight;
            if ((starting && emitted === sent) || sharing) {
              // No worker is up yet, or each has a batch already: run this one here.
              local ??= createForwardKernel(network, plan.kernel, { normalize, maxBatchSize: plan.batchSize });
              const started = now();
              const { predicted, confidence } = local.forward(batch.pixels, batch.count);
              const finished = now();
              if (emitted === sent) {
                const forwardMs = busy.add(started, finished);
                busy.prune(started - 10);
                sent++;
                emitted++;
                subscriber.next({ ...batch, predicted, confidence, forwardMs });
              } else {
                // Earlier batches are still out: keep the answer in a slot until its turn.
                const slot = pool.takeSlot();
                new Uint8Array(slot, 0, batch.count * batch.size).set(batch.pixels.subarray(0, batch.count * batch.size));
                new Int32Array(slot, pool.layout.predicted, batch.count).set(predicted);
                new Float32Array(slot, pool.layout.confidence, batch.count).set(confidence);
                waiting.set(sent, { batch: withoutPixels(batch), dispatched: started, result: { seq: sent, slot, started, finished } });
                sent++;
                emitReady();
              }
              return;
            }
            while (pool.inFlight >= pool.maxInFlight && !subscriber.closed) drain(true);
            if (subscriber.closed) return;
            waiting.set(sent, { batch: withoutPixels(batch), dispatched: now() });
            pool.dispatch(sent++, batch.pixels, batch.count);
            drain(false);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          try {
            while (emitted < sent && !subscriber.closed) drain(true);
            subscriber.complete();
          } catch (error) {
            subscriber.error(error);
          }
        },
      });
      return () => {
        subscription.unsubscribe();
        pool.close();
        local?.close();
        waiting.clear();
      };
    });
}
