"""The numpy peer of `bench/large.ts`: the book's ch. 3 network on a gzip IDX pair, read in
chunks of 10,000 images, as a numpy user would stream a dataset too large to load at once.

    python3 bench/numpy_peer.py IMAGES.gz LABELS.gz sample_weight.pkl [--chunk 10000]

Prints one JSON line: images, correct, accuracy, seconds (wall, from the first byte read to the
last prediction; numpy's import and the weights' loading excluded), peakRssMb (ru_maxrss).
"""
import argparse
import gzip
import json
import pickle
import resource
import struct
import time

import numpy as np

from book_network import predict


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('images')
    parser.add_argument('labels')
    parser.add_argument('weights')
    parser.add_argument('--chunk', type=int, default=10_000)
    args = parser.parse_args()
    with open(args.weights, 'rb') as f:
        network = pickle.load(f)
    started = time.perf_counter()
    with gzip.open(args.images, 'rb') as images, gzip.open(args.labels, 'rb') as labels:
        magic, count, rows, cols = struct.unpack('>IIII', images.read(16))
        assert magic == 0x803, hex(magic)
        magic, label_count = struct.unpack('>II', labels.read(8))
        assert magic == 0x801 and label_count == count
        size = rows * cols
        correct = 0
        done = 0
        while done < count:
            n = min(args.chunk, count - done)
            x = np.frombuffer(images.read(n * size), np.uint8).reshape(n, size).astype(np.float32)
            x /= 255.0
            t = np.frombuffer(labels.read(n), np.uint8)
            y = predict(network, x)
            correct += int(np.sum(np.argmax(y, axis=1) == t))
            done += n
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'images': done, 'correct': correct, 'accuracy': correct / done, 'seconds': round(seconds, 3), 'peakRssMb': round(peak, 1)}))


if __name__ == '__main__':
    main()
