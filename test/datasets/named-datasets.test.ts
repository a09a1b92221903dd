import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { packageDataDir } from '../../src/datasets/data-files.js';
import { DATASET_NAMES, datasetClasses, datasetFiles, DEBIAN_FASHION_DIR, FASHION_CLASSES } from '../../src/datasets/named-datasets.js';

const folder = () => mkdtemp(join(tmpdir(), 'mnist-eval-datasets-'));

test('the named datasets, and the Fashion-MNIST preset of class names', (t) => {
  t.deepEqual(DATASET_NAMES, ['mnist-test', 'mnist-train', 'fashion-test', 'fashion-train']);
  t.deepEqual(FASHION_CLASSES, ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  t.is(datasetClasses('fashion-test'), FASHION_CLASSES);
  t.is(datasetClasses('fashion-train'), FASHION_CLASSES);
  t.is(datasetClasses('mnist-test'), undefined, 'digits need no names');
});

test('Fashion-MNIST: fashion-mnist/ in MNIST_EVAL_DATA_DIR first (gzip before raw), then Debian\'s folder', async (t) => {
  const dir = await folder();
  const debian = await folder();
  for (const name of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']) await writeFile(join(debian, name), '');
  t.deepEqual(datasetFiles('fashion-test', { MNIST_EVAL_DATA_DIR: dir }, debian), { images: join(debian, 't10k-images-idx3-ubyte.gz'), labels: join(debian, 't10k-labels-idx1-ubyte.gz') });
  await mkdir(join(dir, 'fashion-mnist'));
  await writeFile(join(dir, 'fashion-mnist', 'train-images-idx3-ubyte'), '');
  await writeFile(join(dir, 'fashion-mnist', 'train-labels-idx1-ubyte.gz'), '');
  // MNIST's own files in the data folder are not Fashion-MNIST's.
  await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), '');
  t.deepEqual(datasetFiles('fashion-train', { MNIST_EVAL_DATA_DIR: dir }, debian), {
    images: join(dir, 'fashion-mnist', 'train-images-idx3-ubyte'),
    labels: join(dir, 'fashion-mnist', 'train-labels-idx1-ubyte.gz'),
  });
  t.is(DEBIAN_FASHION_DIR, '/usr/share/datasets/fashion-mnist');
});

test('Fashion-MNIST missing everywhere: the error names the folders and how to get it', async (t) => {
  const dir = await folder();
  const nowhere = join(dir, 'no-debian');
  t.throws(() => datasetFiles('fashion-test', { MNIST_EVAL_DATA_DIR: dir }, nowhere), {
    instanceOf: InputError,
    message: `fashion-test: t10k-images-idx3-ubyte.gz is in none of ${join(dir, 'fashion-mnist')}, ${join(packageDataDir, 'fashion-mnist')}, ${nowhere}; install Debian's package (apt-get install dataset-fashion-mnist) or put Zalando's files (github.com/zalandoresearch/fashion-mnist) in a fashion-mnist/ folder of MNIST_EVAL_DATA_DIR`,
  });
});
