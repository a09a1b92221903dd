import test from 'ava';
import { createCanvas, instanceOf, wasmCanvasOf } from '../../src/mosaic/mosaic-canvas.js';
import { KERNEL_MEMORY_BYTES } from '../../src/wasm/module.js';
import { renderMosaic } from '../../src/mosaic/render-mosaic.js';
import { assertTilesExact, noiseTiles } from './helpers.js';

test('digits drawn in WASM are byte for byte those drawn in JavaScript, any scale and width', (t) => {
  for (const [rows, cols] of [[28, 28], [7, 5], [9, 30], [1, 1]]) {
    for (const scale of [1, 2, 3, 5]) {
      const tiles = noiseTiles(13, rows, cols, rows * 7 + scale);
      const options = { rows, cols, scale, header: { total: 100, misclassified: 13, shown: 13 } };
      const wasm = renderMosaic(tiles, options);
      const js = renderMosaic(tiles, { ...options, js: true });
      const what = `${rows}×${cols} at ${scale}`;
      t.not(wasmCanvasOf(wasm.data), undefined, `${what}: drawn in WASM memory`);
      t.is(wasmCanvasOf(js.data), undefined, `${what}: drawn in JavaScript`);
      t.true(Buffer.from(wasm.data).equals(Buffer.from(js.data)), `${what}: same pixels`);
      assertTilesExact(t, wasm, wasm, tiles, rows, cols, scale);
    }
  }
});

test('a canvas is zeroed, and only the whole of it is taken for a WASM canvas', (t) => {
  const canvas = createCanvas(7, 3, { count: 0, rows: 28, cols: 28, scale: 2 });
  t.is(canvas.data.length, 7 * 3 * 4);
  t.true(canvas.data.every((byte) => byte === 0));
  t.not(wasmCanvasOf(canvas.data), undefined);
  t.is(wasmCanvasOf(canvas.data.subarray(4)), undefined, 'a part of it');
  t.is(wasmCanvasOf(new Uint8Array(84)), undefined, 'an ordinary buffer');
});

test("what the module's memory cannot hold is drawn and filtered in JavaScript instead", (t) => {
  t.is(instanceOf(KERNEL_MEMORY_BYTES), undefined, 'past the memory the module declares');
  t.is(instanceOf(2 ** 33), undefined, "past WebAssembly's 4 GiB");
  const fits = instanceOf(1024);
  t.not(fits, undefined);
  t.true(fits!.memory.buffer.byteLength >= fits!.base + 1024);
});

test('a mosaic of 700 tiles at scale 1 (88 pieces of digits): the same pixels as JavaScript draws', (t) => {
  const tiles = noiseTiles(700, 28, 28, 3);
  const options = { rows: 28, cols: 28, scale: 1, header: { total: 10000, misclassified: 700, shown: 700 } };
  const wasm = renderMosaic(tiles, options);
  t.not(wasmCanvasOf(wasm.data), undefined);
  t.true(Buffer.from(wasm.data).equals(Buffer.from(renderMosaic(tiles, { ...options, js: true }).data)));
});
