/**
 * Fuzzing the CLI boundary (#12): for each input kind a valid file is mutated (see mutations.ts)
 * and main() must keep its contract (see contract.ts). CI runs a few runs per property;
 * `npm run fuzz` runs many more (MNIST_EVAL_FUZZ_RUNS, and MNIST_EVAL_FUZZ_SECONDS per property).
 * CI's runs use a fixed seed, `npm run fuzz` a new one each time; every property logs its seed
 * (property k uses MNIST_EVAL_FUZZ_SEED + k): MNIST_EVAL_FUZZ_SEED=<seed> replays a run, and a failure prints
 * fast-check's seed, path and shrunk counterexample (a list of edits of the valid file).
 */
import test from 'ava';
import fc from 'fast-check';
import { join } from 'node:path';
import { needsData } from '../helpers/data-dir.js';
import { check, flags, KINDS, opsOf, scratch, type KindName } from './kinds.js';

needsData(test);

const RUNS = Number(process.env.MNIST_EVAL_FUZZ_RUNS ?? 25);
/**
 * Long runs stop each property after this many seconds. CI's short runs have no time budget: a
 * loaded machine may take long over the first case, and fast-check fails a property interrupted
 * before its first case; their runs are few and each bounded by RUN_TIMEOUT_MS.
 */
const SECONDS = Number(process.env.MNIST_EVAL_FUZZ_SECONDS ?? (RUNS > 100 ? 120 : 0));
/** CI's short runs replay one seed (a failure there is a regression, not luck); long runs draw a new one. */
const SEED = Number(process.env.MNIST_EVAL_FUZZ_SEED ?? (RUNS > 100 ? Date.now() % 2 ** 31 : 20261201));
/** One run longer than this fails, naming its input, instead of hanging the property (a hang, not slowness: generous). */
const RUN_TIMEOUT_MS = 120_000;

Object.keys(KINDS).forEach((name, i) => {
  test.serial(`fuzz ${name}: any mutation exits 0, 1 or 2 with one 'mnist-eval: ' line and no output left`, async (t) => {
    const seed = SEED + i;
    t.log(`seed ${seed} (MNIST_EVAL_FUZZ_SEED=${SEED}), ${RUNS} runs${SECONDS > 0 ? `, at most ${SECONDS} s` : ''}`);
    const dir = join(scratch, `kind-${i}`);
    const remarks = new Set<string>();
    let runs = 0;
    const property = fc.asyncProperty(opsOf(name as KindName), flags, async (op, options) => {
      runs++;
      await check(name as KindName, op, dir, remarks, options);
    });
    const started = Date.now();
    try {
      await fc.assert(property, { seed, numRuns: RUNS, timeout: RUN_TIMEOUT_MS, ...(SECONDS > 0 ? { interruptAfterTimeLimit: SECONDS * 1000, markInterruptAsFailure: false } : {}), includeErrorInReport: true });
    } finally {
      t.log(`${runs} runs (shrinking included) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      for (const note of [...remarks].slice(0, 5)) t.log(`remark: ${note}`);
    }
    t.pass();
  });
});
