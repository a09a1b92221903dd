"""The numpy side of `npm run bench`: the book's ch. 3 evaluation (neuralnet_mnist_batch.py) as one
script, timed as a whole process by the bench, and its forward pass timed inside.

usage: python3 numpy_mnist.py IMAGES.gz LABELS.gz WEIGHTS.pkl [--blas]
prints JSON: {"accuracy", "forwardMs", "images"} and with --blas the BLAS numpy runs
(threadpoolctl when installed, else OpenBLAS asked directly through ctypes).
"""
import gzip
import json
import pickle
import sys
import time

import numpy as np

from book_network import predict


def read_idx(path, offset):
    with gzip.open(path, 'rb') as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return [{k: v for k, v in pool.items() if k in ('internal_api', 'version', 'num_threads', 'architecture')}
                for pool in threadpool_info()]
    except ImportError:
        pass
    import ctypes
    import glob
    import os
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), '..', 'numpy.libs', '*openblas*.so*'))
    for path in libs:
        lib = ctypes.CDLL(path)
        for prefix, suffix in (('scipy_openblas', '64_'), ('scipy_openblas', ''), ('openblas', '64_'), ('openblas', '')):
            try:
                corename = getattr(lib, f'{prefix}_get_corename{suffix}')
                threads = getattr(lib, f'{prefix}_get_num_threads{suffix}')
            except AttributeError:
                continue
            corename.restype = ctypes.c_char_p
            return [{'internal_api': 'openblas', 'architecture': corename().decode(), 'num_threads': threads(),
                     'via': 'ctypes (threadpoolctl is not installed)'}]
    return [{'internal_api': 'unknown'}]


def main(argv):
    images, labels, weights = argv[:3]
    x = read_idx(images, 16).reshape(-1, 784).astype(np.float32)
    x /= 255.0
    t = read_idx(labels, 8)
    with open(weights, 'rb') as f:
        network = pickle.load(f)
    batch_size = 100
    accuracy_cnt = 0
    started = time.perf_counter()
    for i in range(0, len(x), batch_size):
        y_batch = predict(network, x[i:i + batch_size])
        p = np.argmax(y_batch, axis=1)
        accuracy_cnt += np.sum(p == t[i:i + batch_size])
    forward_ms = (time.perf_counter() - started) * 1000
    out = {'accuracy': float(accuracy_cnt) / len(x), 'forwardMs': forward_ms, 'images': len(x)}
    if '--blas' in argv:
        out['blas'] = blas_info()
        out['numpy'] = np.__version__
    print(json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1:])
