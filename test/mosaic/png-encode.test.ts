import test from 'ava';
import { PNG } from 'pngjs';
import { crc32, encodeRgbPng, pngRows } from '../../src/mosaic/png-encode.js';

test('crc32 gives the check value of CRC-32/ISO-HDLC', (t) => {
  t.is((crc32(Buffer.from('123456789')) ^ 0xffffffff) >>> 0, 0xcbf43926);
});

test('an encoded image decodes to the same RGB, opaque, whatever the rows hold', (t) => {
  for (const [width, height] of [[1, 1], [3, 2], [17, 9]]) {
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37 + (i >> 5) * 101) % 256));
    const png = PNG.sync.read(encodeRgbPng(width, height, rgba));
    t.deepEqual([png.width, png.height], [width, height]);
    t.true(Buffer.from(rgba).equals(png.data), `${width}×${height}`);
  }
});

test('the PNG is 8-bit RGB: alpha is dropped; a view into a larger buffer is read from its offset', (t) => {
  const pool = Uint8Array.from({ length: 20 }, (_, i) => i * 9);
  const png = encodeRgbPng(2, 1, pool.subarray(3, 11));
  t.deepEqual([png[24], png[25]], [8, 2], 'bit depth 8, colour type 2');
  t.deepEqual([...PNG.sync.read(png).data], [27, 36, 45, 255, 63, 72, 81, 255]);
});

test('the fallback CRC-32 agrees with zlib on the chunks it is used for', (t) => {
  const bytes = Buffer.from('IDAT some bytes of a chunk');
  t.is((crc32(bytes) ^ 0xffffffff) >>> 0, 0xb75fb4e4);
});

test('the WASM scanlines are byte for byte those of the JavaScript loop, any width', (t) => {
  for (const [width, height] of [[1, 3], [4, 2], [5, 4], [31, 7], [1246, 3]]) {
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 131 + (i >> 7) * 17) % 256);
    t.deepEqual([...pngRows(width, height, rgba)], [...pngRows(width, height, rgba, true)], `${width}×${height}`);
  }
});
