/**
 * Runs `step(start, end)` over `0..total` in pieces of `piece`. The mosaic's WASM functions run
 * once per process, so V8 runs them first in its baseline code (Liftoff, several times slower on
 * SIMD) and compiles the optimised code in the background once a function has run a while; a
 * call that began in baseline code stays in it to its end. Taken in pieces, the work moves to the
 * optimised code as soon as it is ready, at the price of a call per piece.
 */
export function inPieces(total: number, piece: number, step: (start: number, end: number) => void): void {
  for (let start = 0; start < total; start += piece) step(start, Math.min(total, start + piece));
}
