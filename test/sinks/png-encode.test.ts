import test from 'ava';
import { PNG } from 'pngjs';
import { crc32, encodeRgbPng } from '../../src/sinks/png-encode.js';

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

test('alpha is dropped: the PNG is RGB', (t) => {
  const png = encodeRgbPng(2, 1, Uint8Array.from([10, 20, 30, 0, 40, 50, 60, 128]));
  t.is(png[25], 2, 'colour type 2');
  t.deepEqual([...PNG.sync.read(png).data], [10, 20, 30, 255, 40, 50, 60, 255]);
});
