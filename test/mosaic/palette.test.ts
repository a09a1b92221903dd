import test from 'ava';
import { MOSAIC_PALETTE, pixel32 } from '../../src/mosaic/palette.js';

const bytesOf = (pixel: number): number[] => [...new Uint8Array(new Uint32Array([pixel]).buffer)];

test('pixel32 writes the bytes r, g, b, a in this order, alpha 255 unless given', (t) => {
  t.deepEqual(bytesOf(pixel32([1, 2, 3])), [1, 2, 3, 255]);
  t.deepEqual(bytesOf(pixel32([1, 2, 3, 4])), [1, 2, 3, 4]);
  t.deepEqual(bytesOf(pixel32([255, 255, 255, 255])), [255, 255, 255, 255]);
  t.true(pixel32([255, 255, 255]) >= 0, 'an unsigned 32-bit number');
});

test('the palette is opaque RGB', (t) => {
  for (const [name, color] of Object.entries(MOSAIC_PALETTE)) {
    t.is(color.length, 3, name);
    t.true(color.every((v) => Number.isInteger(v) && v >= 0 && v <= 255), name);
  }
});
