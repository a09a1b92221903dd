/**
 * Where outputs and inputs really are, and the checks made on them before a run: an output is
 * refused when it is one of the run's inputs, when two outputs are one file under different
 * spellings (a symlinked folder), and when something other than a regular file is at its path (a
 * folder, a device such as /dev/null, a FIFO, a socket, a link to /proc/self/fd/1). `-` (standard
 * output) is not a path and is left alone.
 */
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { isRemote } from '../sources/remote-url.js';

/** A path with what it is, for messages: `{ path: 'out/x.json', as: '--report' }`, `{ path: 'w.pkl', as: '--weights' }`. */
export interface NamedPath {
  readonly path: string;
  readonly as: string;
}

/** The standard output, as `--report -` and `--predictions -` name it. */
export const STDOUT = '-';

/**
 * The place `path` names: the real path of its nearest existing folder, with the rest of the path
 * after it. The last name is not followed: a rename replaces a link, not what it points at.
 */
export async function placeOf(path: string): Promise<string> {
  const absolute = resolve(path);
  const rest = [basename(absolute)];
  for (let folder = dirname(absolute); ; folder = dirname(folder)) {
    const real = await realpath(folder).catch(() => undefined);
    if (real !== undefined) return join(real, ...rest);
    if (dirname(folder) === folder) return absolute;
    rest.unshift(basename(folder));
  }
}

/** The places an input is read from: where its path is, and the file it leads to (when there is one). */
async function placesOfInput(path: string): Promise<string[]> {
  const followed = await realpath(path).catch(() => undefined);
  return [await placeOf(path), ...(followed === undefined ? [] : [followed])];
}

/** What is at a path that is not a regular file, in words; undefined for a regular file. */
function kindOf(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a folder';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Throws an `InputError` naming `path` when something other than a regular file (or a link to
 * one outside /proc and /dev, or a dangling link) is at it; a folder keeps its short message.
 */
export async function refuseNonRegular(path: string, place: string): Promise<void> {
  const info = await stat(place).catch(() => undefined);
  const linked = await lstat(place).then((own) => (own.isSymbolicLink() ? readlink(place) : undefined), () => undefined);
  // A link into /proc or /dev (/proc/self/fd/1, /dev/stdout) means a stream, even when it leads to a file now.
  const magic = linked !== undefined && /^\/(proc|dev)\//.test(resolve(dirname(place), linked));
  const kind = info === undefined ? undefined : kindOf(info) ?? (magic ? 'a stream' : undefined);
  if (kind === undefined) return;
  if (kind === 'a folder') throw new InputError(path, 'is a folder, expected a file path');
  const link = linked === undefined ? '' : `a link to ${linked}, `;
  throw new InputError(path, `is ${link}${kind}, expected a regular file or a new name (- writes to standard output)`);
}

/**
 * Checks every output against the others and against the inputs, by place; returns the outputs'
 * places. The messages name both: `r.json: given as --report and as --predictions`,
 * `link/r.json: given as --predictions, the same file as out/r.json given as --report`,
 * `w.pkl: given as --report, but it is an input (--weights w.pkl); …`.
 */
export async function checkPlaces(outputs: ReadonlyArray<string | NamedPath>, inputs: readonly NamedPath[] = []): Promise<string[]> {
  // Every path is looked up at once (the lookups only read), and the answers are checked in the
  // order given, so the error is the one a check path by path would meet first.
  const inputPlaces = inputs.map((input) => (input.path === STDOUT ? Promise.resolve([]) : early(placesOfInput(input.path))));
  const named = outputs.map((given) => (typeof given === 'string' ? { path: given, as: '' } : given));
  const outputPlaces = named.map(({ path }) => (path === STDOUT || isRemote(path) ? undefined : early(placeOf(path))));
  const regular = named.map(({ path }, i) => (outputPlaces[i] === undefined ? undefined : early(outputPlaces[i].then((place) => refuseNonRegular(path, place)))));
  const readFrom = new Map<string, NamedPath>();
  for (const [i, input] of inputs.entries()) {
    for (const place of await inputPlaces[i]) if (!readFrom.has(place)) readFrom.set(place, input);
  }
  const seen = new Map<string, NamedPath>();
  const places: string[] = [];
  for (const [i, output] of named.entries()) {
    if (output.path === STDOUT) continue;
    if (isRemote(output.path)) throw new InputError(output.path, `${output.as === '' ? 'an output' : `given as ${output.as}`} is a URL: outputs are written to files only`);
    const place = await outputPlaces[i]!;
    const twin = seen.get(place);
    if (twin !== undefined) {
      throw new InputError(output.path, twin.as === '' || output.as === ''
        ? `given for two different outputs${resolve(twin.path) === resolve(output.path) ? '' : ` (also as ${twin.path})`}, expected distinct paths`
        : resolve(twin.path) === resolve(output.path)
          ? `given as ${twin.as} and as ${output.as}`
          : `given as ${output.as}, the same file as ${twin.path} given as ${twin.as}`);
    }
    seen.set(place, output);
    const input = readFrom.get(place);
    if (input !== undefined) {
      throw new InputError(output.path, `${output.as === '' ? 'an output' : `given as ${output.as}`}, but it is an input (${input.as} ${input.path}); an output must not replace an input`);
    }
    await regular[i];
    places.push(place);
  }
  return places;
}

/** `work`, started now and awaited later (maybe never, if an earlier check fails): its failure is not unhandled. */
function early<T>(work: Promise<T>): Promise<T> {
  work.catch(() => {});
  return work;
}
