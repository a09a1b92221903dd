/**
 * What the reader's spec means, checked apart from this project's kernels: the spec and arrays
 * readOnnx gives are run by a small numpy forward pass (written here, float32, the book's math
 * per layer type) on the 10,000 MNIST test images, which must give onnxruntime's own predictions
 * from formats/expected/<file>.json, every one of them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { FORMATS_DIR, IMAGES_GZ, needsData } from '../helpers/data-dir.js';
import { readOnnx } from '../../src/weights/onnx/read-onnx.js';

needsData(test);

const FORWARD = String.raw`
import gzip, json, sys
import numpy as np
spec_path, images_path = sys.argv[1], sys.argv[2]
spec = json.load(open(spec_path))
arrays = {k: np.fromfile(v['path'], dtype=np.float32).reshape(v['shape']) for k, v in spec['arrays'].items()}
with gzip.open(images_path) as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).astype(np.float32) / np.float32(255)
x = x.reshape([-1] + spec['input'])
for layer in spec['layers']:
    t = layer['type']
    if t == 'affine':
        W = arrays[layer['W']]
        x = x @ (W.T if layer.get('transpose') else W)
        if 'b' in layer: x = x + arrays[layer['b']]
    elif t == 'convolution':
        W = arrays[layer['W']]; s = layer.get('stride', 1); p = layer.get('pad', 0)
        n, c, h, w = x.shape; fn, _, fh, fw = W.shape
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        oh, ow = (h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1
        cols = np.empty((n, c, fh, fw, oh, ow), np.float32)
        for i in range(fh):
            for j in range(fw):
                cols[:, :, i, j] = xp[:, :, i:i + s * oh:s, j:j + s * ow:s]
        x = np.einsum('ncijhw,fcij->nfhw', cols, W, optimize=True)
        if 'b' in layer: x = x + arrays[layer['b']].reshape(1, -1, 1, 1)
    elif t == 'pooling':
        size = layer['size']; s = layer.get('stride', size)
        n, c, h, w = x.shape; oh, ow = (h - size) // s + 1, (w - size) // s + 1
        windows = np.stack([x[:, :, i:i + s * oh:s, j:j + s * ow:s] for i in range(size) for j in range(size)])
        x = windows.max(axis=0) if layer.get('mode', 'max') == 'max' else windows.mean(axis=0)
    elif t == 'flatten': x = x.reshape(len(x), -1)
    elif t == 'relu': x = np.maximum(x, 0)
    elif t == 'sigmoid': x = 1 / (1 + np.exp(-x))
    elif t == 'softmax':
        e = np.exp(x - x.max(axis=1, keepdims=True)); x = e / e.sum(axis=1, keepdims=True)
    else: raise SystemExit('unknown layer ' + t)
print(''.join(map(str, np.argmax(x, axis=1))))
`;

for (const file of ['ch03_dynamo.onnx', 'ch03_legacy.onnx', 'ch07.onnx']) {
  test(`${file}: the spec, run by numpy, gives onnxruntime's 10,000 predictions`, async (t) => {
    const path = join(FORMATS_DIR, file);
    const weights = await readOnnx({ bytes: readFileSync(path), path, file });
    const folder = mkdtempSync(join(tmpdir(), 'onnx-forward-'));
    try {
      const arrays: Record<string, { path: string; shape: readonly number[] }> = {};
      let i = 0;
      for (const [name, array] of weights.arrays) {
        t.is(array.dtype, 'float32', name);
        const arrayPath = join(folder, `${i++}.f32`);
        writeFileSync(arrayPath, new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength));
        arrays[name] = { path: arrayPath, shape: array.shape };
      }
      const specPath = join(folder, 'spec.json');
      writeFileSync(specPath, JSON.stringify({ ...weights.spec, arrays }));
      const { stdout } = await promisify(execFile)('python3', ['-c', FORWARD, specPath, IMAGES_GZ], { maxBuffer: 1 << 20 });
      const expected = JSON.parse(readFileSync(join(FORMATS_DIR, 'expected', `${file}.json`), 'utf8')) as { predictions: string };
      t.is(stdout.trim(), expected.predictions);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
}
