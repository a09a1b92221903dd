"""numpy reference for mnist-eval's layer models: the book's layers (common/layers.py, common/util.py)
and its ch. 7 SimpleConvNet and ch. 8 DeepConvNet, forward pass only, as at test time.

usage: python3 convnet_reference.py IMAGES.gz LABELS.gz WEIGHTS MODEL [--limit N] [--no-normalize]
MODEL is simple-convnet, deep-convnet or a JSON model file (the format of src/model/model-spec.ts).
WEIGHTS is a pickle of a dict of numpy arrays or an .npz archive.
prints JSON: {"accuracy", "correct", "total", "predictions": [...], "confusion": [[...]]}

As in the book, im2col builds its columns with np.zeros (float64), so a convolution or a pooling
computes in float64 whatever the dtype of its input; affine layers follow numpy's type promotion
(float32 pixels times float32 weights stay float32, anything times float64 is float64).
"""
import gzip
import json
import pickle
import sys

import numpy as np


def read_idx(path, offset):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """The book's common/util.py: (N, C, H, W) → (N*out_h*out_w, C*filter_h*filter_w)."""
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], 'constant')
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = 1 + int((H + 2 * self.pad - FH) / self.stride)
        out_w = 1 + int((W + 2 * self.pad - FW) / self.stride)
        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T
        out = np.dot(col, col_W) + self.b
        return out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        out = np.max(col, axis=1)
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)  # the book's Affine flattens a 4-D input itself
        return np.dot(x, self.W) + self.b


class Relu:
    def forward(self, x):
        return np.maximum(0, x)


class Sigmoid:
    def forward(self, x):
        return 1 / (1 + np.exp(-x))


class Dropout:
    """At test time the book's Dropout scales by the kept fraction."""
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio

    def forward(self, x):
        return x * (1.0 - self.dropout_ratio)


class Flatten:
    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class Softmax:
    def forward(self, x):
        x = x - np.max(x, axis=-1, keepdims=True)  # overflow countermeasure
        return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def simple_convnet(params):
    """ch07/simple_convnet.py: Conv1 → Relu1 → Pool1 → Affine1 → Relu2 → Affine2 (then softmax)."""
    return [
        Convolution(params['W1'], params['b1'], 1, 0), Relu(), Pooling(2, 2, stride=2),
        Affine(params['W2'], params['b2']), Relu(),
        Affine(params['W3'], params['b3']),
    ]


def deep_convnet(params):
    """ch08/deep_convnet.py: six 3x3 convolutions (pads 1, 1, 1, 2, 1, 1), a pooling after each
    pair, then Affine → Relu → Dropout → Affine → Dropout (then softmax)."""
    pads = [1, 1, 1, 2, 1, 1]
    layers = []
    for i, pad in enumerate(pads, start=1):
        layers += [Convolution(params['W%d' % i], params['b%d' % i], 1, pad), Relu()]
        if i % 2 == 0:
            layers.append(Pooling(pool_h=2, pool_w=2, stride=2))
    return layers + [
        Affine(params['W7'], params['b7']), Relu(), Dropout(0.5),
        Affine(params['W8'], params['b8']), Dropout(0.5),
    ]


def json_model(path, params):
    """The layers of a JSON model file, each the book's class of the same name."""
    with open(path) as f:
        spec = json.load(f)
    layers = []
    for layer in spec['layers']:
        kind = layer['type']
        if kind == 'affine':
            layers.append(Affine(params[layer['W']], params[layer['b']]))
        elif kind == 'convolution':
            layers.append(Convolution(params[layer['W']], params[layer['b']], layer.get('stride', 1), layer.get('pad', 0)))
        elif kind == 'pooling':
            size = layer['size']
            pool_h, pool_w = (size, size) if isinstance(size, int) else size
            layers.append(Pooling(pool_h, pool_w, layer.get('stride', pool_h), layer.get('pad', 0)))
        elif kind == 'dropout':
            layers.append(Dropout(layer['ratio']))
        else:
            layers.append({'relu': Relu, 'sigmoid': Sigmoid, 'softmax': Softmax, 'flatten': Flatten}[kind]())
    return layers, spec


def load_params(path):
    if path.endswith('.npz'):
        with np.load(path) as archive:
            return {key: archive[key] for key in archive.files}
    with open(path, 'rb') as f:
        return pickle.load(f)


def main(argv):
    images, labels, weights, model = argv[:4]
    limit = int(argv[argv.index('--limit') + 1]) if '--limit' in argv else None
    params = load_params(weights)
    flat = False
    if model == 'simple-convnet':
        layers = simple_convnet(params) + [Softmax()]
    elif model == 'deep-convnet':
        layers = deep_convnet(params) + [Softmax()]
    else:
        layers, spec = json_model(model, params)
        spatial = any(layer['type'] in ('convolution', 'pooling') for layer in spec['layers'])
        flat = len(spec['input']) == 1 if 'input' in spec else not spatial
    raw = read_idx(images, 16)
    rows, cols = (int.from_bytes(open_header(images)[i:i + 4], 'big') for i in (8, 12))
    x = raw.reshape(-1, 1, rows, cols).astype(np.float32)
    if flat:
        x = x.reshape(len(x), -1)
    if '--no-normalize' not in argv:
        x /= 255.0
    t = read_idx(labels, 8)
    if limit is not None:
        x, t = x[:limit], t[:limit]
    batch_size = 100
    predictions = np.empty(len(x), dtype=np.int64)
    for i in range(0, len(x), batch_size):
        y = x[i:i + batch_size]
        for layer in layers:
            y = layer.forward(y)
        predictions[i:i + batch_size] = np.argmax(y, axis=1)
    classes = y.shape[1]
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (t, predictions), 1)
    correct = int(np.sum(predictions == t))
    print(json.dumps({
        'accuracy': correct / len(x), 'correct': correct, 'total': len(x),
        'predictions': predictions.tolist(), 'confusion': confusion.tolist(),
    }))


def open_header(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        return f.read(16)


if __name__ == '__main__':
    main(sys.argv[1:])
