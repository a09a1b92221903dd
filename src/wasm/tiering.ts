/**
 * V8 runs a WebAssembly function first in its baseline code (Liftoff) and compiles it with
 * TurboFan, on a background thread, once the function has spent its tiering budget (a rough count
 * of the bytes of code it ran, `--wasm-tiering-budget`, read when a module is instantiated).
 * `withLowTieringBudget` instantiates and runs something under a small budget, so that its hot
 * functions are sent to TurboFan after a single short pass; the optimised code then serves every
 * instance of the same module. The flag is put back at once, so nothing else in the process sees it.
 */
import { setFlagsFromString } from 'node:v8';

/** V8's own budget on the Node versions whose default is known (`node --v8-options`), to put back. */
const DEFAULT_BUDGET: Readonly<Record<number, number>> = { 20: 1_800_000, 22: 13_000_000, 24: 13_000_000 };

/** Small enough that each kernel function's first call (a loop over a batch's rows) spends it. */
const LOW_BUDGET = 20_000;

const major = Number(process.versions.node.split('.')[0]);

/** Whether the budget can be lowered and put back: a known Node, and no budget of the user's own. */
export function tieringBudgetAdjustable(): boolean {
  const userSet = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('wasm-tiering-budget'));
  return !userSet && DEFAULT_BUDGET[major] !== undefined;
}

/**
 * Runs `work` with V8's tiering budget lowered where `tieringBudgetAdjustable()`, else as it is;
 * `work` is told which (so it knows how much running it takes to tier up).
 */
export function withLowTieringBudget(work: (lowered: boolean) => void): void {
  if (!tieringBudgetAdjustable()) {
    work(false);
    return;
  }
  setFlagsFromString(`--wasm-tiering-budget=${LOW_BUDGET}`);
  try {
    work(true);
  } finally {
    setFlagsFromString(`--wasm-tiering-budget=${DEFAULT_BUDGET[major]}`);
  }
}
