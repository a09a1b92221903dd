"""numpy reference for mnist-eval: the book's ch. 3 evaluation loop (neuralnet_mnist_batch.py).

usage: python3 mlp_reference.py IMAGES.gz LABELS.gz WEIGHTS.pkl [--no-normalize] [--activation sigmoid|relu]
prints JSON: {"accuracy", "correct", "total", "predictions": [...], "confusion": [[...]]}
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


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)  # overflow countermeasure
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def predict(network, x, activation):
    depth = sum(1 for k in network if k.startswith('W'))
    a = x
    for n in range(1, depth + 1):
        a = np.dot(a, network[f'W{n}']) + network[f'b{n}']
        a = activation(a) if n < depth else softmax(a)
    return a


def main(argv):
    images, labels, weights = argv[:3]
    normalize = '--no-normalize' not in argv
    activation = relu if '--activation' in argv and argv[argv.index('--activation') + 1] == 'relu' else sigmoid
    x = read_idx(images, 16).reshape(-1, 784).astype(np.float32)
    if normalize:
        x /= 255.0
    t = read_idx(labels, 8)
    with open(weights, 'rb') as f:
        network = pickle.load(f)
    batch_size = 100
    predictions = np.empty(len(x), dtype=np.int64)
    for i in range(0, len(x), batch_size):
        y = predict(network, x[i:i + batch_size], activation)
        predictions[i:i + batch_size] = np.argmax(y, axis=1)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (t, predictions), 1)
    correct = int(np.sum(predictions == t))
    print(json.dumps({
        'accuracy': correct / len(x), 'correct': correct, 'total': len(x),
        'predictions': predictions.tolist(), 'confusion': confusion.tolist(),
    }))


if __name__ == '__main__':
    main(sys.argv[1:])
