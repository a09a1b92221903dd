import type { Misclassified } from '../types.js';

/**
 * The images the HTML report shows in each cell of its confusion matrix: of every (true,
 * predicted) pair, the first `cap` misclassified images in dataset order, each with its own copy
 * of the pixels (a source's samples are views into its read buffer). Memory is bounded by the
 * cap: at most `cap` images a cell, whatever the dataset's size. Create one per run.
 */
export class CellImages {
  readonly #cells = new Map<number, Misclassified[]>();
  #kept = 0;

  constructor(readonly cap: number) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`CellImages: cap must be a whole number of at least 1, got ${cap}`);
  }

  /** Keeps `wrong` if its cell holds fewer than `cap` images; offered in dataset order. */
  offer(wrong: Misclassified): void {
    // 2^20 labels is more than any IDX label byte can hold (0..255): the key is unique.
    const key = wrong.label * 2 ** 20 + wrong.predicted;
    let cell = this.#cells.get(key);
    if (cell === undefined) this.#cells.set(key, (cell = []));
    if (cell.length >= this.cap) return;
    cell.push({ ...wrong, pixels: wrong.pixels.slice() });
    this.#kept++;
  }

  /** Every kept image, in dataset order. */
  images(): Misclassified[] {
    const all: Misclassified[] = [];
    for (const cell of this.#cells.values()) all.push(...cell);
    return all.sort((a, b) => a.index - b.index);
  }

  get size(): number {
    return this.#kept;
  }
}
