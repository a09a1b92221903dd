/**
 * Backpressure as structure: how many batches a source reads ahead of a slow consumer, with
 * credits and without, counted, not timed. The memory this saves depends on the machine's load
 * and is measured by bench/backpressure.ts (`npm run bench`), not asserted here.
 */
import test from 'ava';
import { concatMap, lastValueFrom, reduce, tap } from 'rxjs';
import { evaluateBatches$ } from '../../pipelines/evaluate.js';
import { planForward } from '../../src/operators/forward-plan.js';
import { Credits } from '../../src/operators/credits.js';
import { readBatches$ } from '../../src/sources/mnist.js';
import { inferMlp } from '../../src/model/infer-mlp.js';
import { loadWeights } from '../../src/weights/load.js';
import { needsData } from '../helpers/data-dir.js';
import { rawSet, WEIGHTS } from './helpers.js';

needsData(test);

const IMAGES = 50_000;
const BATCH = 100;

/**
 * Reads 50,000 images (39 MB) through a slow consumer: it settles its first batch only once the
 * source can go no further (all `credits.limit` credits out, or without credits the file read to
 * its end), then takes 2 ms a batch. Reports the most batches the source was ever ahead of it.
 */
async function slowConsumer(credits: Credits | undefined) {
  const { images, labels } = await rawSet(IMAGES);
  let read = 0;
  let consumed = 0;
  let ahead = 0;
  let release!: () => void;
  const blocked = new Promise<void>((resolve) => (release = resolve));
  await lastValueFrom(
    readBatches$(images, labels, BATCH, { highWaterMark: 64 * 1024, ready: credits && (() => credits.room()) }).pipe(
      tap({
        next: () => {
          read++;
          credits?.take();
          ahead = Math.max(ahead, read - consumed);
          if (credits !== undefined && credits.out === credits.limit) release();
        },
        complete: () => release(),
      }),
      concatMap(async () => {
        await (consumed === 0 ? blocked : new Promise((resolve) => setTimeout(resolve, 2)));
        consumed++;
        credits?.give();
      }),
      reduce((n) => n + 1, 0),
    ),
  );
  return { consumed, ahead };
}

test.serial('a slow consumer holds the source back: never more than `limit` batches ahead', async (t) => {
  const credits = new Credits(4);
  const { consumed, ahead } = await slowConsumer(credits);
  t.is(consumed, IMAGES / BATCH);
  t.is(ahead, 4, 'the source read until the credits ran out, and no further');
  t.is(credits.peak, 4);
  t.is(credits.out, 0);
});

test.serial('without credits the same source does not wait for the consumer: all 500 batches are read before the first is settled', async (t) => {
  const { consumed, ahead } = await slowConsumer(undefined);
  t.is(consumed, IMAGES / BATCH);
  t.is(ahead, IMAGES / BATCH);
});

test.serial('evaluateBatches$: slow CSV writes pause the file reads; every row arrives, in order', async (t) => {
  const { images, labels } = await rawSet(IMAGES);
  const { arrays } = await loadWeights(WEIGHTS);
  const network = inferMlp(arrays, WEIGHTS, { inputSize: 784 });
  const credits = new Credits(3);
  let read = 0;
  let written = 0;
  let ahead = 0;
  let firstIndex = -1;
  const batches$ = readBatches$(images, labels, BATCH, { limit: 20_000, ready: () => credits.room() }).pipe(
    tap(() => {
      read++;
      ahead = Math.max(ahead, read - written);
    }),
  );
  const result = await lastValueFrom(
    evaluateBatches$(batches$, network, planForward(network, { batchSize: BATCH, workers: 0 }), {
      mosaicCap: 10,
      credits,
      onPredictionRows: async (rows) => {
        const index = Number(rows.slice(0, rows.indexOf(',')));
        t.is(index, firstIndex + (firstIndex < 0 ? 1 : BATCH));
        firstIndex = index;
        await new Promise((resolve) => setTimeout(resolve, 1));
        written++;
      },
    }),
  );
  t.is(result.evaluation.total, 20_000);
  t.is(written, 200);
  // The batch being read, plus `limit` waiting on their writes.
  t.true(ahead <= 3 + 1, `the source ran ${ahead} batches ahead of the writes`);
  t.is(credits.out, 0);
});
