/**
 * A one-line progress bar on stderr for long runs: images done of total, speed and time left.
 * Only on a terminal, only after the first second (a quick run prints nothing), at most ten redraws
 * a second, each overwriting the line with `\r`. `formatProgress` is the pure part.
 */

export interface ProgressOptions {
  /** Images in the run (from the IDX header). */
  total: number;
  /** Where to draw, normally `process.stderr`; nothing is drawn unless it is a TTY. */
  stream: NodeJS.WriteStream;
  /** False for `--quiet`. */
  enabled: boolean;
  /** Milliseconds before the bar first appears. Default 1000. */
  delayMs?: number;
  /** Least time between two redraws, in milliseconds. Default 100 (ten a second). */
  intervalMs?: number;
  /** Clock in milliseconds; tests pass a fake one. Default `performance.now`. */
  now?: () => number;
}

export interface Progress {
  /** `done` images are finished (a running count, not an increment). */
  update(done: number): void;
  /** Clears the bar, if it was drawn; later updates draw nothing. */
  finish(): void;
}

const NO_PROGRESS: Progress = { update() {}, finish() {} };

/** Erase from the cursor to the end of the line. */
const CLEAR_TO_END = '\x1b[K';

export function createProgress(options: ProgressOptions): Progress {
  const { total, stream, enabled } = options;
  if (!enabled || !stream.isTTY) return NO_PROGRESS;
  const delayMs = options.delayMs ?? 1000;
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let lastDraw = -Infinity;
  let drawn = false;
  let finished = false;
  return {
    update(done) {
      if (finished) return;
      const t = now();
      const elapsed = t - started;
      if (elapsed <= delayMs || t - lastDraw < intervalMs) return;
      lastDraw = t;
      drawn = true;
      const width = Math.max(20, (stream.columns || 80) - 1); // the last column would wrap on some terminals
      stream.write(`\r${formatProgress(done, total, elapsed, width)}${CLEAR_TO_END}`);
    },
    finish() {
      if (finished) return;
      finished = true;
      if (drawn) stream.write(`\r${CLEAR_TO_END}`);
    },
  };
}

/**
 * One progress line of at most `width` characters, such as
 * `[##########----------]   4200/10000   42%    3512 img/s  ETA 2s`.
 * The bar takes the width that the numbers leave; with fewer than 10 columns left it is dropped, and
 * so are the numbers, from the right, that do not fit whole.
 */
export function formatProgress(done: number, total: number, elapsedMs: number, width: number): string {
  const clamped = Math.max(0, Math.min(done, total));
  const fraction = total > 0 ? clamped / total : 1;
  const digits = String(total).length;
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? formatDuration(((total - clamped) / rate) * 1000) : '--';
  const parts = [
    `${String(clamped).padStart(digits)}/${total}`,
    `${String(Math.floor(fraction * 100)).padStart(3)}%`,
    // Fixed widths, so that the bar does not change length as the speed and ETA change.
    `${String(rate > 0 ? Math.round(rate) : '--').padStart(6)} img/s`,
    `ETA ${eta.padEnd(6)}`,
  ];
  const numbers = parts.join('  ');
  const barWidth = width - numbers.length - 4; // brackets and two spaces
  if (barWidth < 10) {
    // No room for the bar: keep the parts that fit whole, from the left.
    while (parts.length > 1 && parts.join('  ').trimEnd().length > width) parts.pop();
    return parts.join('  ').trimEnd().slice(0, Math.max(0, width));
  }
  const filled = Math.floor(fraction * barWidth);
  return `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]  ${numbers}`.trimEnd();
}

/** `45s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.floor(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
