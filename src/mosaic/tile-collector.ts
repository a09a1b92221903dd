import type { Misclassified, MosaicOrder, Prediction } from '../types.js';

/** What ordering needs from a tile. */
export type Ranked = Pick<Prediction, 'index' | 'confidence'>;

/** What the collector keeps: a ranked tile with its pixels (a `Misclassified`, or a pipeline's own type). */
export type RankedTile = Pick<Misclassified, 'index' | 'confidence' | 'pixels'>;

/** Comparator for `order`: negative when `a` comes before `b`. NaN confidence sorts last. */
export function compareTiles(order: MosaicOrder): (a: Ranked, b: Ranked) => number {
  if (order === 'index') return (a, b) => a.index - b.index;
  return (a, b) => confidenceKey(b) - confidenceKey(a) || a.index - b.index;
}

function confidenceKey(tile: Ranked): number {
  return Number.isNaN(tile.confidence) ? -Infinity : tile.confidence;
}

/** A sorted copy of `tiles`. */
export function orderTiles<T extends Ranked>(tiles: readonly T[], order: MosaicOrder): T[] {
  return [...tiles].sort(compareTiles(order));
}

/**
 * Keeps the first `cap` tiles in `order` out of any number offered, in O(cap) memory: a bounded
 * binary heap whose root is the kept tile that comes last in `order` (the highest index, or the
 * least confident mistake), so a better newcomer replaces it in O(log cap).
 *
 * Kept tiles get their own copy of `pixels`: sources may hand out views into a large read buffer, or
 * reuse one buffer per sample, and holding such a view would keep the whole buffer alive or see it change.
 *
 * Create one per run (inside `defer`), never at module scope.
 */
export class TileCollector<T extends RankedTile = Misclassified> {
  readonly #compare: (a: Ranked, b: Ranked) => number;
  /** Heap ordered so that `#heap[0]` comes last in `order`. */
  readonly #heap: T[] = [];
  #offered = 0;

  constructor(readonly cap: number, readonly order: MosaicOrder) {
    if (!Number.isInteger(cap) || cap < 0) {
      throw new RangeError(`TileCollector: cap must be a non-negative integer, got ${cap}`);
    }
    this.#compare = compareTiles(order);
  }

  /** Tiles offered so far, kept or not. */
  get offered(): number {
    return this.#offered;
  }

  /** Tiles kept so far (at most `cap`). */
  get size(): number {
    return this.#heap.length;
  }

  /** Offered but not kept: the mosaic's "not shown". */
  get leftOut(): number {
    return this.#offered - this.#heap.length;
  }

  offer(tile: T): void {
    this.#offered++;
    const heap = this.#heap;
    if (heap.length < this.cap) {
      heap.push(keep(tile));
      this.#siftUp(heap.length - 1);
    } else if (heap.length > 0 && this.#compare(tile, heap[0]) < 0) {
      heap[0] = keep(tile);
      this.#siftDown(0);
    }
  }

  /** The kept tiles, sorted in `order`. */
  tiles(): T[] {
    return orderTiles(this.#heap, this.order);
  }

  /** True when `a` should sit above `b` in the heap: `a` comes later in `order`. */
  #above(a: T, b: T): boolean {
    return this.#compare(a, b) > 0;
  }

  #siftUp(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#above(heap[i], heap[parent])) return;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let top = i;
      if (left < heap.length && this.#above(heap[left], heap[top])) top = left;
      if (right < heap.length && this.#above(heap[right], heap[top])) top = right;
      if (top === i) return;
      [heap[i], heap[top]] = [heap[top], heap[i]];
      i = top;
    }
  }
}

function keep<T extends RankedTile>(tile: T): T {
  return { ...tile, pixels: tile.pixels.slice() };
}
