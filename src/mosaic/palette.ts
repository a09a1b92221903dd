/** The mosaic's colours, and colours as the 32-bit pixels the painters write. */

/** `[r, g, b]` (alpha 255) or `[r, g, b, a]`, each 0..255. */
export type Color = readonly [number, number, number] | readonly [number, number, number, number];

export const MOSAIC_PALETTE = {
  /** Dark gray, so the black digit backgrounds stand out as tiles. */
  background: [0x2a, 0x2a, 0x2a],
  text: [0xe8, 0xe8, 0xe8],
  muted: [0xb0, 0xb0, 0xb0],
  /** The true label. */
  label: [0x7c, 0xe0, 0x7c],
  /** The (wrong) prediction. */
  predicted: [0xff, 0x80, 0x70],
} as const satisfies Record<string, Color>;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * `color` as one pixel of a Uint32Array over RGBA bytes, in this machine's byte order: writing it
 * sets the four bytes r, g, b, a at once.
 */
export function pixel32([r, g, b, a = 255]: Color): number {
  return (LITTLE_ENDIAN ? (a << 24) | (b << 16) | (g << 8) | r : (r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}
