/**
 * The shrunk counterexamples the fuzz properties found (cli-inputs.test.ts), kept as fixed cases:
 * each is a list of edits of the valid file of its kind. A case whose bug is fixed is a plain
 * regression test; one still open is `test.failing`, named by its bug, and turns into a failure
 * (to be moved to a plain test) the day the bug is fixed.
 */
import test from 'ava';
import { join } from 'node:path';
import { needsData } from '../helpers/data-dir.js';
import { check, scratch, type KindName } from './kinds.js';
import type { JsonOp } from './mutations.js';

needsData(test);

interface Case {
  readonly kind: KindName;
  /** The bug, in one line, as the report names it. */
  readonly bug: string;
  /** The seed that found it (MNIST_EVAL_FUZZ_SEED of cli-inputs.test.ts, plus the property's index). */
  readonly seed: number;
  readonly edits: unknown;
  /** Still open: the case runs as test.failing. */
  readonly open?: boolean;
}

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const CASES: readonly Case[] = [
  {
    // Fixed by merge's schema (zod, #12): now 'part-0.json: timing.forwardMs is an array of 1, expected a number'.
    kind: 'shard report (merge)', seed: 853336218,
    bug: 'merge: timing.forwardMs as 10,000 nested arrays was added to a number, and turning the array into a string overflowed the stack ("internal error: Maximum call stack size exceeded")',
    edits: [{ op: 'wrap', target: 330995531, depth: 10000 }, { op: 'replace', target: 832391, with: nested(40) }] satisfies JsonOp[],
  },
];

CASES.forEach(({ kind, bug, seed, edits, open }, i) => {
  (open ? test.failing : test)(`${kind} (seed ${seed}): ${bug}`, async (t) => {
    await check(kind, edits, join(scratch, `regression-${i}`));
    t.pass();
  });
});
