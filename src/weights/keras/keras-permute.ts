/**
 * The two reorderings between Keras's channels-last layout and our C × H × W, as plain loops over
 * flat arrays (each makes a new array of the same precision).
 */

/**
 * Rows of a matrix (`cols` wide) indexed by a Flatten of H × W × C, (h, w, c) order, re-indexed
 * in (c, h, w) order: what our Flatten of C × H × W makes. A vector is the case cols = 1.
 */
export function hwcToChw<T extends Float32Array | Float64Array>(data: T, [h, w, c]: readonly [number, number, number], cols: number): T {
  const out = new (data.constructor as { new (length: number): T })(data.length);
  for (let hi = 0; hi < h; hi++) {
    for (let wi = 0; wi < w; wi++) {
      for (let ci = 0; ci < c; ci++) {
        const from = ((hi * w + wi) * c + ci) * cols;
        const to = ((ci * h + hi) * w + wi) * cols;
        out.set(data.subarray(from, from + cols), to);
      }
    }
  }
  return out;
}

/** A Conv2D kernel KH × KW × I × O (Keras's HWIO) as O × I × KH × KW (torch's and ONNX's OIHW). */
export function hwioToOihw<T extends Float32Array | Float64Array>(data: T, [kh, kw, i, o]: readonly [number, number, number, number]): T {
  const out = new (data.constructor as { new (length: number): T })(data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let ci = 0; ci < i; ci++) {
        for (let co = 0; co < o; co++) {
          out[((co * i + ci) * kh + y) * kw + x] = data[((y * kw + x) * i + ci) * o + co];
        }
      }
    }
  }
  return out;
}
