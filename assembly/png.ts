// The PNG encoder's inner loop (src/mosaic/png-encode.ts), in the same module as the kernels.

/**
 * The scanlines of an RGB PNG from RGBA pixels (alpha dropped): each row a filter byte, then its
 * bytes less those of the row above (PNG filter 2, Up; the first row unfiltered, filter 0).
 * `rgba` is `width × height × 4` bytes; `out` receives `(width × 3 + 1) × height` bytes. Four
 * pixels at a time: one shuffle packs 16 RGBA bytes into 12 RGB bytes. Only rows `from` to `to` − 1
 * are written, so the caller can take the image in several calls.
 */
export function pngRowsRgbUp(rgba: usize, width: i32, from: i32, to: i32, out: usize): void {
  const rowIn = <usize>width << 2;
  const rowOut = <usize>width * 3 + 1;
  const quads = width >> 2;
  for (let y = from; y < to; y++) {
    const src = rgba + <usize>y * rowIn;
    const dst = out + <usize>y * rowOut;
    store<u8>(dst, y == 0 ? 0 : 2);
    let o = dst + 1;
    let i = src;
    for (let q = 0; q < quads; q++) {
      let v = v128.load(i);
      if (y > 0) v = i8x16.sub(v, v128.load(i - rowIn));
      const rgb = i8x16.shuffle(v, v, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15, 15, 15, 15);
      v128.store64_lane(o, rgb, 0);
      v128.store32_lane(o, rgb, 2, 8);
      o += 12;
      i += 16;
    }
    for (let x = quads << 2; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const p = i + c;
        store<u8>(o + c, y == 0 ? load<u8>(p) : <u8>(load<u8>(p) - load<u8>(p - rowIn)));
      }
      o += 3;
      i += 4;
    }
  }
}
