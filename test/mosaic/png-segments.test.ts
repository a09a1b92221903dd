import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import test from 'ava';
import { PNG } from 'pngjs';
import { adler32, adler32Js } from '../../src/mosaic/adler32.js';
import { defaultSegments, encodeMosaicPng, encodeMosaicPngAsync, pngRows, segmentBounds } from '../../src/mosaic/png-encode.js';
import { kernelInstance } from '../../src/wasm/module.js';
import { lcg, noiseMosaic } from './helpers.js';

/** The concatenated IDAT data of a PNG file. */
function idatOf(png: Buffer): Buffer {
  const parts = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

const opaqueNoise = (width: number, height: number, seed: number): Uint8Array => {
  const random = lcg(seed);
  return Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : random() < 0.5 ? 0x2a : Math.floor(random() * 256)));
};

test('segments: whole rows, as even as rows allow, covering every row once', (t) => {
  t.deepEqual(segmentBounds(2, 1, 1), [[0, 7]]);
  t.deepEqual(segmentBounds(2, 2, 2), [[0, 7], [7, 14]]);
  t.deepEqual(segmentBounds(1, 5, 2), [[0, 8], [8, 20]]);
  t.deepEqual(segmentBounds(1, 3, 3), [[0, 4], [4, 8], [8, 12]]);
  t.is(defaultSegments(1246, 1490), 2, "the default run's mosaic: one segment per core");
  t.is(defaultSegments(100, 100), 1, 'a small image: one');
  t.is(defaultSegments(100_000, 1), 1, 'one row: one');
});

test('every split decodes to the same pixels (pngjs, zlib.inflateSync), and sync and async give the same bytes', async (t) => {
  for (const [width, height] of [[1, 1], [3, 1], [2, 2], [5, 3], [17, 7], [4, 9]]) {
    const data = opaqueNoise(width, height, width * 31 + height);
    const rows = pngRows(width, height, data, true);
    for (let segments = 1; segments <= height; segments++) {
      const sync = encodeMosaicPng({ width, height, data }, { segments });
      const async = await encodeMosaicPngAsync({ width, height, data }, { segments });
      const what = `${width}×${height} in ${segments}`;
      t.true(sync.equals(async), `${what}: sync and async bytes`);
      t.true(Buffer.from(data).equals(PNG.sync.read(sync).data), `${what}: pngjs`);
      t.true(Buffer.from(rows).equals(zlib.inflateSync(idatOf(sync))), `${what}: inflateSync gives the filtered rows`);
    }
  }
});

test('a segment count the rows cannot hold is refused', (t) => {
  const image = { width: 2, height: 3, data: opaqueNoise(2, 3, 1) };
  for (const segments of [0, 4, 1.5]) {
    t.throws(() => encodeMosaicPng(image, { segments }), { instanceOf: RangeError, message: `encodeMosaicPng: segments must be an integer from 1 to the image's height (3), got ${segments}` });
  }
});

test("the mosaic's PNG, in two segments, decodes to its pixels by pngjs and by python's zlib with a manual unfilter", async (t) => {
  const { mosaic } = noiseMosaic(40, 2, 20);
  const png = await encodeMosaicPngAsync(mosaic, { segments: 2 });
  t.true(png.equals(encodeMosaicPng(mosaic, { segments: 2 })));
  t.true(Buffer.from(mosaic.data).equals(PNG.sync.read(png).data));
  const dir = mkdtempSync(join(tmpdir(), 'png-segments-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'm.png'), png);
  // An independent reader: python's zlib, the Up filter undone by hand, RGB out.
  const script = `
import sys, zlib, struct
b = open(sys.argv[1], 'rb').read(); at = 8; idat = b''
while at < len(b):
    n, = struct.unpack('>I', b[at:at+4]); kind = b[at+4:at+8]
    if kind == b'IHDR': w, h = struct.unpack('>II', b[at+8:at+16])
    if kind == b'IDAT': idat += b[at+8:at+8+n]
    at += 12 + n
raw = zlib.decompress(idat); stride = w * 3; prev = bytes(stride); out = bytearray()
for y in range(h):
    f = raw[y * (stride + 1)]; row = raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
    row = bytes((a + p) & 255 for a, p in zip(row, prev)) if f == 2 else bytes(row)
    assert f in (0, 2), f
    out += row; prev = row
sys.stdout.buffer.write(out)
`;
  const rgb = execFileSync('python3', ['-c', script, join(dir, 'm.png')], { maxBuffer: 1 << 26 });
  const expected = Buffer.from(mosaic.data.filter((_, i) => i % 4 !== 3));
  t.true(expected.equals(rgb), 'python decodes the same RGB');
});

/** Adler-32 as zlib computes it: the last 4 bytes of a zlib stream. */
const zlibAdler = (bytes: Uint8Array): number => zlib.deflateSync(bytes, { level: 0 }).readUInt32BE(zlib.deflateSync(bytes, { level: 0 }).length - 4);

test("adler32 in WASM and in JavaScript equals zlib's, at every length around its reduction points", (t) => {
  const lengths = [0, 1, 15, 16, 17, 31, 5551, 5552, 5553, 5552 * 2 + 7, 65535, 65536, 65537, (1 << 20) + 3];
  const random = lcg(7);
  const { k, memory, base } = kernelInstance((1 << 21) + 64);
  for (const length of lengths) {
    for (const fill of ['random', '0xff'] as const) {
      const bytes = fill === 'random' ? Uint8Array.from({ length }, () => Math.floor(random() * 256)) : new Uint8Array(length).fill(0xff);
      // An odd address too: the WASM loop reads 16 bytes at a time wherever they start.
      const inWasm = new Uint8Array(memory.buffer, base + 3, length);
      inWasm.set(bytes);
      const expected = zlibAdler(bytes);
      t.is(adler32Js(bytes), expected, `JS, ${length} ${fill} bytes`);
      t.is(adler32(inWasm, k), expected, `WASM, ${length} ${fill} bytes`);
    }
  }
  t.is(adler32Js(new Uint8Array(0)), 1, 'nothing: 1');
});
