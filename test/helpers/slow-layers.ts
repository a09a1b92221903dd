/**
 * The layers of the book written out the slow, obvious way over nested indices, to check the
 * kernels against. Sums run in (c, fy, fx) order, bias last, as the kernels' do.
 */

/** A seeded generator of floats in [-1, 1) (mulberry32), with about `zeros` of them exactly 0. */
export function randomValues(seed: number, length: number, zeros = 0.3): number[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length }, () => (next() < zeros ? 0 : next() * 2 - 1));
}

export interface ConvCase {
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly FN: number;
  readonly FH: number;
  readonly FW: number;
  readonly stride: number;
  readonly pad: number;
}

/** out[n, f, oy, ox] = b[f] + Σ x[n, c, oy·s + fy − pad, ox·s + fx − pad] · W[f, c, fy, fx], zeros outside. */
export function slowConvolution(x: ArrayLike<number>, W: ArrayLike<number>, b: ArrayLike<number>, k: ConvCase): { data: number[]; OH: number; OW: number } {
  const OH = Math.floor((k.H + 2 * k.pad - k.FH) / k.stride) + 1;
  const OW = Math.floor((k.W + 2 * k.pad - k.FW) / k.stride) + 1;
  const data: number[] = [];
  for (let n = 0; n < k.N; n++) {
    for (let f = 0; f < k.FN; f++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let sum = 0;
          for (let c = 0; c < k.C; c++) {
            for (let fy = 0; fy < k.FH; fy++) {
              for (let fx = 0; fx < k.FW; fx++) {
                const iy = oy * k.stride + fy - k.pad;
                const ix = ox * k.stride + fx - k.pad;
                if (iy < 0 || iy >= k.H || ix < 0 || ix >= k.W) continue;
                sum += x[((n * k.C + c) * k.H + iy) * k.W + ix] * W[((f * k.C + c) * k.FH + fy) * k.FW + fx];
              }
            }
          }
          data.push(sum + b[f]);
        }
      }
    }
  }
  return { data, OH, OW };
}

/** out[n, c, oy, ox] = max over the PH × PW window at (oy·s, ox·s). */
export function slowMaxPool(x: ArrayLike<number>, shape: readonly [number, number, number, number], PH: number, PW: number, stride: number): number[] {
  const [N, C, H, W] = shape;
  const OH = Math.floor((H - PH) / stride) + 1;
  const OW = Math.floor((W - PW) / stride) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          const window: number[] = [];
          for (let py = 0; py < PH; py++) {
            for (let px = 0; px < PW; px++) window.push(x[((n * C + c) * H + oy * stride + py) * W + ox * stride + px]);
          }
          out.push(Math.max(...window));
        }
      }
    }
  }
  return out;
}
