/**
 * Backpressure for a pipeline RxJS cannot slow down by itself. RxJS pushes: a source that reads a
 * file as fast as it can, ahead of a consumer that finishes its work later (a write that waits for
 * the disk, a worker that answers on its own time), piles the batches up in memory. Credits bound
 * that pile: a batch takes a credit when it enters the slow part and gives it back when it is
 * settled; the source asks for `room()` before it reads the next batch, so the file stream stays
 * paused until fewer than `limit` batches are out.
 *
 * Where a batch takes its credit matters. Take it after an operator that holds batches until more
 * arrive (a worker pool that hands back results when the next batch comes in, `bufferCount`),
 * never before: a source waiting for credits that only such an operator could give back would wait
 * forever. Such an operator bounds what it holds itself.
 *
 * Create one per run; its state is that run's.
 */
export class Credits {
  #out = 0;
  #peak = 0;
  #waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Credits: limit must be a positive integer, got ${limit}`);
  }

  /** Batches out now: taken and not yet given back. */
  get out(): number {
    return this.#out;
  }

  /** The most batches that were ever out at once. */
  get peak(): number {
    return this.#peak;
  }

  /** Resolves when fewer than `limit` batches are out; undefined (no wait at all) when that is already so. */
  room(): Promise<void> | undefined {
    if (this.#out < this.limit) return undefined;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  take(): void {
    this.#out++;
    if (this.#out > this.#peak) this.#peak = this.#out;
  }

  give(): void {
    if (this.#out === 0) throw new Error('Credits: more credits given back than taken');
    this.#out--;
    // Wake the waiters only while there is room: each waiter then takes one when its batch comes.
    while (this.#out < this.limit && this.#waiting.length > 0) this.#waiting.shift()!();
  }

  /** Wakes every waiter (at the end of a run, so no source is left waiting). */
  releaseAll(): void {
    for (const wake of this.#waiting.splice(0)) wake();
  }
}
