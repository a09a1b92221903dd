/** The book's networks, as model descriptions over the arrays of the book's weight files. */
import type { LayerSpec, ModelSpec } from './model-spec.js';

export interface Preset extends ModelSpec {
  /** The book's file of trained weights for it, looked for in the data folders when --weights is not given. */
  readonly weightsFile: string;
}

const conv = (n: number, pad: number): LayerSpec => ({ type: 'convolution', W: `W${n}`, b: `b${n}`, stride: 1, pad });
const affine = (n: number): LayerSpec => ({ type: 'affine', W: `W${n}`, b: `b${n}` });
const relu: LayerSpec = { type: 'relu' };
const pool: LayerSpec = { type: 'pooling', mode: 'max', size: 2, stride: 2 };

/**
 * ch07/simple_convnet.py: conv 30×5×5 stride 1 pad 0 → ReLU → max-pool 2×2 stride 2 →
 * affine 4320→100 → ReLU → affine 100→10 → softmax. Weights: W1 (30, 1, 5, 5), b1, W2 (4320, 100),
 * b2, W3 (100, 10), b3 — the book's ch07/params.pkl.
 */
export const SIMPLE_CONVNET: Preset = {
  name: 'simple-convnet',
  weightsFile: 'simple_convnet_params.pkl',
  layers: [conv(1, 0), relu, pool, affine(2), relu, affine(3), { type: 'softmax' }],
};

/**
 * ch08/deep_convnet.py: six 3×3 convolutions of 16, 16, 32, 32, 64, 64 filters (pad 1, except 2 for
 * the fourth), each followed by ReLU and each pair by max-pool 2×2 stride 2, then affine 1024→50 →
 * ReLU → dropout 0.5 → affine 50→10 → dropout 0.5 → softmax. Weights: W1…W6 (filters), W7 (1024, 50),
 * W8 (50, 10) and b1…b8 — the book's ch08/deep_convnet_params.pkl.
 */
export const DEEP_CONVNET: Preset = {
  name: 'deep-convnet',
  weightsFile: 'deep_convnet_params.pkl',
  layers: [
    conv(1, 1), relu, conv(2, 1), relu, pool,
    conv(3, 1), relu, conv(4, 2), relu, pool,
    conv(5, 1), relu, conv(6, 1), relu, pool,
    affine(7), relu, { type: 'dropout', ratio: 0.5 },
    affine(8), { type: 'dropout', ratio: 0.5 },
    { type: 'softmax' },
  ],
};

export const PRESETS: ReadonlyMap<string, Preset> = new Map([SIMPLE_CONVNET, DEEP_CONVNET].map((preset) => [preset.name, preset]));
