/** Shared by the mosaic tests: synthetic tiles and mosaics, and golden-image comparison (`UPDATE=1` rewrites goldens). */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { PNG } from 'pngjs';
import { renderMosaic, type Mosaic } from '../../src/mosaic/render-mosaic.js';
import type { Misclassified } from '../../src/types.js';

export const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));

/** A small deterministic generator (LCG), so fixtures are the same on every run. */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `count` tiles of `rows × cols` noise pixels covering 0..255, with made-up labels and confidences. */
export function noiseTiles(count: number, rows = 28, cols = 28, seed = 1): Misclassified[] {
  const random = lcg(seed);
  return Array.from({ length: count }, (_, i) => {
    const label = Math.floor(random() * 10);
    return {
      index: 100 + 7 * i,
      label,
      predicted: (label + 1 + Math.floor(random() * 9)) % 10,
      confidence: Math.round(random() * 100) / 100,
      pixels: Uint8Array.from({ length: rows * cols }, () => Math.floor(random() * 256)),
    };
  });
}

/** A mosaic of `count` noise tiles (28×28) at `scale`, of 648 misclassified out of 10000, and its tiles. */
export function noiseMosaic(count: number, scale: number, columns?: number): { mosaic: Mosaic; tiles: Misclassified[] } {
  const tiles = noiseTiles(count, 28, 28, 40 + count);
  const mosaic = renderMosaic(tiles, { rows: 28, cols: 28, scale, columns, header: { total: 10000, misclassified: 648, shown: count } });
  return { mosaic, tiles };
}

/** A digit-like tile: a ring of white on black, so goldens look like something. */
export function ringTile(index: number, label: number, predicted: number, confidence: number, rows = 28, cols = 28): Misclassified {
  const pixels = new Uint8Array(rows * cols);
  const cy = (rows - 1) / 2;
  const cx = (cols - 1) / 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = Math.hypot((r - cy) / (rows / 2.6), (c - cx) / (cols / 3.6));
      pixels[r * cols + c] = Math.max(0, Math.round(255 * (1 - Math.abs(d - 1) * 4)));
    }
  }
  return { index, label, predicted, confidence, pixels };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Compares an RGBA image with `test/golden/<name>`, byte for byte; with `UPDATE=1` rewrites the golden. */
export function assertGolden(t: ExecutionContext, name: string, image: { width: number; height: number; data: Uint8Array }): void {
  const path = GOLDEN_DIR + name;
  if (process.env.UPDATE === '1') {
    const png = new PNG({ width: image.width, height: image.height });
    png.data = Buffer.from(image.data);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, PNG.sync.write(png, { colorType: 6 }));
  }
  if (!existsSync(path)) {
    t.fail(`golden ${name} is missing; run with UPDATE=1 to create it`);
    return;
  }
  const golden = PNG.sync.read(readFileSync(path));
  t.deepEqual([image.width, image.height], [golden.width, golden.height], `${name}: size differs from the golden`);
  t.is(sha256(image.data), sha256(golden.data), `${name}: pixels differ from the golden (run with UPDATE=1 to accept)`);
}

/** The RGBA of pixel (x, y). */
export function pixelAt(data: Uint8Array, width: number, x: number, y: number): number[] {
  const offset = (y * width + x) * 4;
  return Array.from(data.subarray(offset, offset + 4));
}

/** Checks that every source pixel of every tile is an exact scale×scale block at its placement. */
export function assertTilesExact(
  t: ExecutionContext,
  image: { width: number; data: Uint8Array },
  mosaic: Pick<Mosaic, 'placements'>,
  tiles: readonly Misclassified[],
  rows: number,
  cols: number,
  scale: number,
): void {
  for (const [i, placement] of mosaic.placements.entries()) {
    t.is(placement.width, cols * scale);
    t.is(placement.height, rows * scale);
    for (let y = 0; y < placement.height; y++) {
      for (let x = 0; x < placement.width; x++) {
        const gray = tiles[i].pixels[Math.floor(y / scale) * cols + Math.floor(x / scale)];
        const actual = pixelAt(image.data, image.width, placement.x + x, placement.y + y);
        if (actual.join() !== [gray, gray, gray, 255].join()) {
          t.fail(`tile ${i}: pixel (${x}, ${y}) is ${actual}, expected gray ${gray} from source (${Math.floor(x / scale)}, ${Math.floor(y / scale)})`);
          return;
        }
      }
    }
  }
}
