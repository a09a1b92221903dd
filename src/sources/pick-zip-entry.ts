/**
 * Which entry of a zip archive to read: the one the path names (`archive.zip:entry`), or, when it
 * names none, the only IDX entry of the kind the caller asks for.
 */
import type StreamZip from 'node-stream-zip';
import { InputError } from '../errors.js';
import { inflateHead, isGzip } from './gzip.js';
import { idxNdimOf, NDIM_OF_KIND, type IdxKind } from './idx.js';

type ZipEntry = StreamZip.ZipEntry;

/**
 * The most files of an archive looked at to find the IDX entry when the path names none: with
 * each look bounded (4 KiB read, 4 KiB inflated), an archive costs at most a few MiB of work.
 */
export const MAX_PROBED_ENTRIES = 1000;

/** What an entry's gzip data may inflate to while looking at its head. */
const GZIP_HEAD_BYTES = 4096;

/** Names that break a tie between IDX entries of the same kind, as in MNIST's own file names. */
const NAME_HINTS: Readonly<Record<IdxKind, RegExp>> = { images: /images|idx3/i, labels: /labels|idx1/i };

/** The first few entry names, for an error message. */
const entryList = (entries: readonly ZipEntry[]): string => {
  const names = entries.slice(0, 5).map((entry) => entry.name);
  return entries.length > 5 ? `${names.join(', ')}, … (${entries.length} in all)` : names.join(', ');
};

/** The entry called `name`; an InputError naming `path` and a few of the entries if there is none. */
export function namedZipEntry(path: string, entries: readonly ZipEntry[], name: string): ZipEntry {
  const entry = entries.find((candidate) => candidate.name === name);
  if (entry === undefined) throw new InputError(path, `no entry "${name}" in the archive (entries: ${entryList(entries) || 'none'})`);
  return entry;
}

/**
 * The entry to read when the path names none: the only IDX entry of the wanted kind, judged by
 * its header (3-D images, 1-D labels), or by its name when the headers leave several or none.
 * `headOf` gives the first bytes of an entry's data, and throws for an entry it cannot read.
 */
export async function pickZipEntry(
  path: string,
  entries: readonly ZipEntry[],
  kind: IdxKind | undefined,
  headOf: (entry: ZipEntry) => Promise<Uint8Array>,
): Promise<ZipEntry> {
  const files = entries.filter((entry) => entry.isFile);
  if (files.length > MAX_PROBED_ENTRIES) {
    throw new InputError(path, `holds ${files.length} files, more than the ${MAX_PROBED_ENTRIES} looked through for an IDX file; choose one as ${path}:<entry>`);
  }
  const probes: { entry: ZipEntry; ndim: number | undefined; readable: boolean }[] = [];
  for (const entry of files) {
    try {
      const entryHead = await headOf(entry);
      // Any IDX dtype counts: the decoder then says "unsupported dtype" rather than "no IDX file".
      probes.push({ entry, ndim: idxNdimOf(isGzip(entryHead) ? await inflateHead(entryHead, 'gzip', GZIP_HEAD_BYTES) : entryHead), readable: true });
    } catch {
      probes.push({ entry, ndim: undefined, readable: false });
    }
  }
  const wantedNdim = kind === undefined ? undefined : NDIM_OF_KIND[kind];
  const hint = kind === undefined ? undefined : NAME_HINTS[kind];
  const idx = probes.filter((probe) => probe.ndim !== undefined);
  const matching = idx.filter((probe) => wantedNdim === undefined || probe.ndim === wantedNdim).map((probe) => probe.entry);
  const what = kind === undefined ? 'IDX file' : `IDX ${kind}`;
  const several = kind === undefined ? 'IDX files' : `IDX ${kind}`;
  if (matching.length === 1) return matching[0];
  if (matching.length === 0) {
    const unreadable = probes.filter((probe) => !probe.readable && hint?.test(probe.entry.name)).map((probe) => probe.entry);
    if (unreadable.length === 1) return unreadable[0];
    if (idx.length === 0) throw new InputError(path, `no IDX file in the archive (entries: ${entryList(files) || 'none'})`);
    throw new InputError(path, `no ${what} in the archive (found ${entryList(idx.map((probe) => probe.entry))})`);
  }
  const named = hint === undefined ? [] : matching.filter((entry) => hint.test(entry.name));
  if (named.length === 1) return named[0];
  throw new InputError(path, `several ${several} in the archive (${entryList(matching)}); choose one as ${path}:<entry>`);
}
