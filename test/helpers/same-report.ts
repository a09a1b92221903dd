/**
 * A merged report against the report of one run over the same images, field by field: all but
 * what the README says a merge may differ in (the timings, the memory, the forward pass's threads).
 */
import type { ExecutionContext } from 'ava';

export const VARYING_FIELDS: ReadonlySet<string> = new Set(['timing', 'resources', 'forward']);

/** Asserts every other field of `merged` equals `single`'s, each on its own (a failure names it); logs the fields compared. */
export function sameReport(t: ExecutionContext, merged: Record<string, unknown>, single: Record<string, unknown>): void {
  t.deepEqual(Object.keys(merged).sort(), Object.keys(single).sort(), 'the merged report has the single run\'s fields');
  const compared: string[] = [];
  for (const key of Object.keys(single)) {
    if (VARYING_FIELDS.has(key)) continue;
    t.deepEqual(merged[key], single[key], `report field ${key}`);
    compared.push(key);
  }
  t.log(`report fields equal: ${compared.join(', ')} (not compared: ${[...VARYING_FIELDS].join(', ')})`);
}
