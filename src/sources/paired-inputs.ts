/**
 * `--images` without `--labels` (or the reverse): the other file of the pair, found beside the
 * given one by the usual MNIST names (`t10k-images-idx3-ubyte.gz` ↔ `t10k-labels-idx1-ubyte.gz`,
 * `*-images*` ↔ `*-labels*`, with or without `.gz`), or in the same zip archive. Never the
 * bundled test set's labels for someone else's images: without a match it is a usage error.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { zipEntryPath } from './format-of.js';
import { isRemote } from './remote-url.js';

type Kind = 'images' | 'labels';

export interface InputPair {
  readonly images: string;
  readonly labels: string;
}

/** The names the `want` file of `given`'s pair may have, the likeliest first (same extension first). */
export function pairCandidates(given: string, want: Kind): string[] {
  const have: Kind = want === 'labels' ? 'images' : 'labels';
  const name = basename(given);
  const dims = { images: 'idx3', labels: 'idx1' };
  const renamed = name.includes(`${have}-${dims[have]}`)
    ? name.replace(`${have}-${dims[have]}`, `${want}-${dims[want]}`)
    : name.includes(have) ? name.replace(have, want) : undefined;
  if (renamed === undefined) return [];
  const stem = renamed.replace(/\.gz$/i, '');
  const names = renamed === stem ? [stem, `${stem}.gz`] : [renamed, stem];
  return names.map((candidate) => join(dirname(given), candidate));
}

/**
 * The images and labels of a run: both as given, the missing one found beside the other (and
 * logged), or undefined when neither is given (the caller's default). A zip archive holds both
 * (its entry is chosen by IDX type); standard input (`-`) and a name with no match are usage errors.
 */
export function pairedInputs(given: { readonly images?: string; readonly labels?: string }, log: (line: string) => void, exists: (path: string) => boolean = existsSync): InputPair | undefined {
  if (given.images === undefined && given.labels === undefined) return undefined;
  if (given.images !== undefined && given.labels !== undefined) return { images: given.images, labels: given.labels };
  const have: Kind = given.images !== undefined ? 'images' : 'labels';
  const want: Kind = have === 'images' ? 'labels' : 'images';
  const path = (given.images ?? given.labels)!;
  // A server lists no folder to look in: the pair of a URL is named by the user.
  if (isRemote(path)) throw new UsageError(`--${have} ${path} needs --${want}: the ${want} are not looked for beside a URL, give --${want} URL`);
  const zip = zipEntryPath(path)?.archive ?? (/\.zip$/i.test(path) ? path : undefined);
  const candidates = path === '-' ? [] : zip !== undefined ? [zip] : pairCandidates(path, want);
  const found = candidates.find((candidate) => exists(candidate));
  if (found === undefined) {
    const looked = candidates.length === 0 ? '' : ` (looked for ${candidates.map((candidate) => basename(candidate)).join(', ')} beside it)`;
    throw new UsageError(`--${have} ${path} needs --${want}: no ${want} file found by its name${looked}`);
  }
  log(`${want}: ${found} (found beside --${have} ${path}; give --${want} to choose another)`);
  return have === 'images' ? { images: path, labels: found } : { images: found, labels: path };
}
