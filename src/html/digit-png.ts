import { PNG } from 'pngjs';

/**
 * One grayscale image (`rows * cols` bytes, 0..255, row-major, as in the IDX file) as an 8-bit
 * grayscale PNG: a 28×28 digit is a few hundred bytes, small enough to inline by the thousand.
 */
export function encodeDigitPng(pixels: Uint8Array, rows: number, cols: number): Buffer {
  if (pixels.length !== rows * cols) {
    throw new RangeError(`encodeDigitPng: expected ${rows * cols} pixels (${rows}×${cols}), got ${pixels.length}`);
  }
  const png = new PNG({ width: cols, height: rows, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** `encodeDigitPng` as a `data:` URI for an `<img src>`. */
export function digitDataUri(pixels: Uint8Array, rows: number, cols: number): string {
  return `data:image/png;base64,${encodeDigitPng(pixels, rows, cols).toString('base64')}`;
}
