import test from 'ava';
import { PNG } from 'pngjs';
import { encodeMosaicPng, pngRows } from '../../src/mosaic/png-encode.js';
import { renderMosaic } from '../../src/mosaic/render-mosaic.js';
import { assertTilesExact, noiseMosaic } from './helpers.js';

/** The chunks of a PNG file: type, data, and the CRC as stored. */
function chunks(png: Buffer): Array<{ type: string; data: Buffer; crc: number }> {
  const found = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    found.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length), crc: png.readUInt32BE(at + 8 + length) });
    at += 12 + length;
  }
  return found;
}

/** CRC-32 (ISO 3309, as PNG chunks use), bit by bit: the slow, obvious way. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test('an encoded image decodes to the same RGB, opaque, whatever the rows hold', (t) => {
  for (const [width, height] of [[1, 1], [3, 2], [17, 9]]) {
    const data = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37 + (i >> 5) * 101) % 256));
    const png = PNG.sync.read(encodeMosaicPng({ width, height, data }));
    t.deepEqual([png.width, png.height], [width, height]);
    t.true(Buffer.from(data).equals(png.data), `${width}×${height}`);
  }
});

test('the PNG is 8-bit RGB (colour type 2): the alpha is dropped', (t) => {
  const buffer = encodeMosaicPng(noiseMosaic(2, 1).mosaic);
  t.deepEqual([...buffer.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  t.deepEqual(chunks(buffer).map((chunk) => chunk.type), ['IHDR', 'IDAT', 'IEND']);
  t.is(buffer[24], 8, 'bit depth');
  t.is(buffer[25], 2, 'colour type');
  const pool = Uint8Array.from({ length: 20 }, (_, i) => i * 9);
  t.deepEqual([...PNG.sync.read(encodeMosaicPng({ width: 2, height: 1, data: pool.subarray(3, 11) })).data], [27, 36, 45, 255, 63, 72, 81, 255]);
});

test('every chunk carries the CRC-32 of its type and data', (t) => {
  const png = encodeMosaicPng(noiseMosaic(3, 2).mosaic);
  for (const { type, data, crc } of chunks(png)) t.is(crc, crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])), type);
  t.deepEqual([...png.subarray(-4)], [0xae, 0x42, 0x60, 0x82], "IEND's CRC, the same in every PNG");
});

for (const [count, scale, columns, width, height] of [
  // tiles, scale, columns, PNG width, PNG height (layout.test.ts has the layout arithmetic)
  // The header's two lines (totals, what a caption says) take 18 px at font scale 1, 36 at 2.
  [10, 1, 5, 6 + 63 * 6 - 1 + 6, 6 + 18 + 8 + (2 * 38 + 6) + 6],
  [10, 2, 5, 6 + 63 * 6 - 1 + 6, 6 + 18 + 8 + (2 * 66 + 6) + 6],
  [10, 3, 5, 6 + (5 * 84 + 4 * 6) + 6, 6 + 18 + 8 + (2 * 94 + 6) + 6],
  [40, 2, 20, 6 + (20 * 56 + 19 * 6) + 6, 6 + 36 + 8 + (2 * 66 + 6) + 6],
]) {
  test(`PNG of ${count} tiles at scale ${scale}, ${columns} columns: ${width}×${height}, decodes pixel-exact`, (t) => {
    const { mosaic, tiles } = noiseMosaic(count, scale, columns);
    const png = PNG.sync.read(encodeMosaicPng(mosaic));
    t.deepEqual([png.width, png.height], [width, height]);
    t.true(Buffer.from(mosaic.data).equals(png.data), 'decoded RGBA equals the mosaic buffer');
    assertTilesExact(t, png, mosaic, tiles, 28, 28, scale);
  });
}

test('mosaic data that is a view into a larger buffer encodes correctly', (t) => {
  const { mosaic } = noiseMosaic(3, 2);
  const pool = new Uint8Array(mosaic.data.length + 13);
  pool.set(mosaic.data, 13);
  const png = PNG.sync.read(encodeMosaicPng({ ...mosaic, data: pool.subarray(13) }));
  t.true(Buffer.from(mosaic.data).equals(png.data));
});

test('an empty mosaic encodes to a valid PNG', (t) => {
  const mosaic = renderMosaic([], { rows: 28, cols: 28, header: { total: 10000, misclassified: 0, shown: 0 } });
  const png = PNG.sync.read(encodeMosaicPng(mosaic));
  t.deepEqual([png.width, png.height], [mosaic.width, mosaic.height]);
});

test('encodeMosaicPng rejects data of the wrong size', (t) => {
  const { mosaic } = noiseMosaic(1, 1);
  t.throws(() => encodeMosaicPng({ ...mosaic, data: mosaic.data.subarray(4) }), {
    message: `encodeMosaicPng: image data size does not match width/height, expected ${mosaic.data.length}, got ${mosaic.data.length - 4}`,
  });
});

test('the WASM scanlines are byte for byte those of the JavaScript loop, any width', (t) => {
  for (const [width, height] of [[1, 3], [4, 2], [5, 4], [31, 7], [1246, 3]]) {
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 131 + (i >> 7) * 17) % 256);
    t.deepEqual([...pngRows(width, height, rgba)], [...pngRows(width, height, rgba, true)], `${width}×${height}`);
  }
});
