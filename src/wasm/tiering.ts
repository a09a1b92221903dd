/**
 * V8 runs a WebAssembly function first in its baseline code (Liftoff) and compiles it with
 * TurboFan, on a background thread, once the function has spent its tiering budget (a rough count
 * of the bytes of code it ran, `--wasm-tiering-budget`). Node 20's V8 reads the budget when a
 * module is instantiated, Node 22's and 24's when it is compiled. Under a lowered budget the
 * kernel's hot functions are sent to TurboFan after a single short pass instead of some ten
 * batches; the optimised code then serves every instance of the module. The flag is put back as
 * soon as the compile or the pass is done, so the rest of the process keeps V8's own budget.
 */
import { setFlagsFromString } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

/** V8's own budget on the Node versions whose default is known (`node --v8-options`), to put back. */
const DEFAULT_BUDGET: Readonly<Record<number, number>> = { 20: 1_800_000, 22: 13_000_000, 24: 13_000_000 };

/**
 * Small enough that each kernel function's first call over a batch of 100 rows spends it (the
 * smallest, softmax over 10 classes, runs some 20 KB); not so small that a long loop calls into
 * V8 to ask for TurboFan at every few iterations until the code is in.
 */
const LOW_BUDGET = 20_000;

const major = Number(process.versions.node.split('.')[0]);

/**
 * Whether the budget can be lowered and put back: a known Node, no budget of the user's own, and
 * the main thread (V8's flags are the process's: two threads setting them at once could leave the
 * lowered one in place, so worker threads leave them alone and prime by running longer).
 */
export function tieringBudgetAdjustable(): boolean {
  const userSet = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('wasm-tiering-budget'));
  return isMainThread && !userSet && DEFAULT_BUDGET[major] !== undefined;
}

/** Lowers the budget where `tieringBudgetAdjustable()`; returns whether it did, and what puts it back (once). */
export function lowerTieringBudget(): { readonly lowered: boolean; readonly restore: () => void } {
  if (!tieringBudgetAdjustable()) return { lowered: false, restore: () => undefined };
  setFlagsFromString(`--wasm-tiering-budget=${LOW_BUDGET}`);
  let restored = false;
  return {
    lowered: true,
    restore: () => {
      if (restored) return;
      restored = true;
      setFlagsFromString(`--wasm-tiering-budget=${DEFAULT_BUDGET[major]}`);
    },
  };
}

/** Runs `work` under a lowered budget where it can be lowered, else as it is; `work` is told which. */
export function withLowTieringBudget(work: (lowered: boolean) => void): void {
  const { lowered, restore } = lowerTieringBudget();
  try {
    work(lowered);
  } finally {
    restore();
  }
}
