import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { makeFolders, makeFoldersSync, nearestExisting, removeEmptyFolders, syncDirectory } from './folders.js';
import { commitFiles, NODE_FS, scratchName, type CommitFs } from './commit-files.js';
import { checkPlaces, STDOUT, type NamedPath } from './output-places.js';
import { closeStream, copyToStdout, drained, finishStream } from './stream-files.js';

/**
 * Writing outputs so that a reader never sees half a file and a failed run leaves nothing behind:
 * data goes to a temporary file in the target's folder, is fsynced, and is renamed over the target
 * (a rename within one folder is atomic on POSIX file systems).
 */

export type FileData = Uint8Array | string;

/** An output's path and what it is, for messages: `{ path: 'out/x.json', as: '--report' }`. */
export type OutputTarget = NamedPath;

/**
 * The temporary name used for `path`: `.mnist-eval.<random>.tmp` in the same folder, without the
 * target's name, so that it is a valid name whenever the target's is (a name of 255 bytes too).
 */
export function tempPathFor(path: string): string {
  return scratchName(dirname(path), 'tmp');
}

/**
 * Writes `data` to `path` atomically, creating the folder if missing. On failure the temporary file
 * is removed and the error rethrown; an existing file at `path` is then left as it was.
 */
export async function writeFileAtomic(path: string, data: FileData): Promise<void> {
  await makeFolders(dirname(path));
  const temp = tempPathFor(path);
  await writeSynced(temp, data);
  try {
    await rename(temp, path);
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * A group of outputs that appear together or not at all (the mosaic PNG, its JSON sidecar, the report).
 * `stage` writes each to a temporary file next to its target; `commit` renames them all into place;
 * `abort` deletes the temporaries and any folders `stage` created. Typical use:
 *
 *     const outputs = new OutputSet();
 *     try {
 *       await outputs.stage('out/errors.png', png);
 *       await outputs.stage('out/errors.json', JSON.stringify(sidecar));
 *       await outputs.commit();
 *     } catch (error) {
 *       await outputs.abort();
 *       throw error;
 *     }
 *
 * Renames are atomic one by one; as a group, a rename that fails takes back those already made, the
 * previous files kept under backup names until all are in place (commit-files.ts). Everything before
 * `commit` (rendering, encoding, writing) can fail without a trace. `-` stages standard output: its
 * file is staged in the OS temp folder and copied to `stdout` after every file is in place.
 *
 * Outputs produced bit by bit (a CSV row per batch) use `openStream`, which stages a temporary file
 * written through a stream; `commit` flushes and fsyncs it before renaming. `checkWritable` checks the
 * targets up front, so a bad output path fails before a long evaluation rather than after it.
 */
export class OutputSet {
  readonly #staged = new Map<string, string>(); // target path (or `-`) → temporary path
  readonly #given = new Map<string, string>(); // target path → the path as given, for messages
  readonly #stdout: NodeJS.WritableStream;
  readonly #fs: CommitFs;
  readonly #createdFolders: Array<{ folder: string; top: string }> = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #streams = new Map<string, { stream: WriteStream; error?: Error }>(); // temp path → stream
  /** The first failed write, so `commit` refuses even after the failed stage has settled. */
  #failure: { error: unknown } | undefined;
  #state: 'open' | 'committing' | 'committed' | 'aborted' | 'failed' = 'open';

  /** `stdout` receives an output staged as `-`; `fs` is for tests that make a rename fail. */
  constructor(options: { readonly stdout?: NodeJS.WritableStream; readonly fs?: CommitFs } = {}) {
    this.#stdout = options.stdout ?? process.stdout;
    this.#fs = options.fs ?? NODE_FS;
  }

  /** Target paths staged so far, in staging order. */
  get paths(): string[] {
    return [...this.#staged.keys()];
  }

  /** Writes `data` to a temporary file beside `path`; nothing appears at `path` until `commit`. */
  stage(path: string, data: FileData): Promise<void> {
    this.#checkOpen('stage');
    const { target, temp } = this.#register(path);
    const write = this.#write(target, temp, data).catch((error: unknown) => {
      error = this.#named(error);
      this.#failure ??= { error };
      throw error;
    });
    this.#pending.add(write);
    return write.finally(() => this.#pending.delete(write));
  }

  /**
   * Stages `path` as a stream: returns at once, and writes go to a temporary file beside `path`
   * (its folder is created now). Write errors surface at `commit`. Do not `end` the stream yourself.
   */
  openStream(path: string): StagedStream {
    this.#checkOpen('openStream');
    const folder = dirname(resolve(path));
    let top: string | undefined;
    try {
      top = path === STDOUT ? undefined : makeFoldersSync(folder);
    } catch (error) {
      throw cannotWrite(path, error);
    }
    if (top !== undefined) this.#createdFolders.push({ folder, top });
    const { target, temp } = this.#register(path);
    const entry: { stream: WriteStream; error?: Error } = { stream: createWriteStream(temp, { flags: 'wx' }) };
    entry.stream.on('error', (error) => (entry.error ??= error));
    this.#streams.set(temp, entry);
    return {
      path: target,
      write: (chunk) => {
        if (this.#state !== 'open' || entry.error !== undefined) return Promise.resolve();
        return entry.stream.write(chunk) ? Promise.resolve() : drained(entry.stream);
      },
    };
  }

  /**
   * Fails early, with an `InputError` naming the path, when an output could not be written or must
   * not be: two outputs are one file, also under different spellings (the message names both, when
   * the targets say what they are), an output is one of `inputs`, something other than a regular
   * file is at its path (a folder, a device, a FIFO: output-places.ts), or a file cannot be created
   * in the nearest existing folder above it. That is tried for real, with a temporary file removed
   * at once (permissions alone do not tell: root may write anywhere, but not in /proc or on a
   * read-only mount). Leaves nothing behind. `-` (standard output) is not checked.
   */
  async checkWritable(targets: ReadonlyArray<string | OutputTarget>, inputs: readonly NamedPath[] = []): Promise<void> {
    // The folders are probed while the places are checked; every probe has removed its file before
    // this returns or throws. The places' error comes first, then the probes' in the order given.
    const paths = targets.map((given) => (typeof given === 'string' ? given : given.path)).filter((path) => path !== STDOUT);
    const probes = paths.map((path) => probeFolder(path));
    const settled = Promise.allSettled(probes);
    try {
      await checkPlaces(targets, inputs);
    } finally {
      await settled;
    }
    for (const probe of probes) await probe;
  }

  /** Renames every staged file into place, in staging order. Returns the target paths. */
  async commit(): Promise<string[]> {
    this.#checkOpen('commit');
    this.#state = 'committing';
    const results = await Promise.allSettled([...this.#pending, ...[...this.#streams.values()].map(finishStream)]);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) this.#failure ??= { error: failed.reason };
    if (this.#failure) {
      this.#state = 'failed';
      const error = this.#named(this.#failure.error);
      if (error instanceof InputError) throw error;
      throw new Error('OutputSet: cannot commit after a failed write; call abort()', { cause: this.#failure.error });
    }
    const entries = [...this.#staged];
    const files = entries.filter(([target]) => target !== STDOUT).map(([target, temp]) => ({ target, temp, given: this.#given.get(target) ?? target }));
    try {
      await commitFiles(files, this.#fs);
    } catch (error) {
      this.#state = 'failed';
      await Promise.all(entries.map(([, temp]) => removeQuietly(temp)));
      throw error;
    }
    this.#state = 'committed';
    await Promise.all([...new Set(files.map(({ target }) => dirname(target)))].map(syncDirectory));
    const piped = this.#staged.get(STDOUT);
    if (piped !== undefined) await copyToStdout(piped, this.#stdout).finally(() => removeQuietly(piped));
    return entries.map(([target]) => target);
  }

  /** Deletes all temporary files and the folders `stage` created (if empty). Safe to call twice. */
  async abort(): Promise<void> {
    if (this.#state === 'committed' || this.#state === 'committing') return;
    this.#state = 'aborted';
    await Promise.allSettled([...this.#pending, ...[...this.#streams.values()].map(closeStream)]);
    await Promise.all([...this.#staged.values()].map(removeQuietly));
    // Newest first: a folder created inside an earlier one must go before its parent can.
    for (const { folder, top } of [...this.#createdFolders].reverse()) await removeEmptyFolders(folder, top);
  }

  /** Records a new target and its temporary name (registered before writing, so abort() removes it even mid-write). */
  #register(path: string): { target: string; temp: string } {
    const target = path === STDOUT ? STDOUT : resolve(path);
    if (this.#staged.has(target)) throw new Error(`OutputSet: ${path} is already staged`);
    const temp = target === STDOUT ? scratchName(tmpdir(), 'tmp') : tempPathFor(target);
    this.#staged.set(target, temp);
    this.#given.set(target, path);
    return { target, temp };
  }

  /** A file-system error on a temporary file as an InputError naming its output (the temporary name means nothing to the user). */
  #named(error: unknown): unknown {
    const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
    const target = [...this.#staged].find(([, temp]) => temp === path)?.[0];
    if (code === undefined || target === undefined) return error;
    const given = this.#given.get(target) ?? target;
    return new InputError(target === STDOUT ? 'standard output' : given, `cannot write in ${dirname(path!)} (${code})`);
  }

  async #write(target: string, temp: string, data: FileData): Promise<void> {
    const folder = dirname(target);
    const top = target === STDOUT ? undefined : await makeFolders(folder).catch((error: unknown) => {
      throw cannotWrite(this.#given.get(target) ?? target, error);
    });
    if (top !== undefined) this.#createdFolders.push({ folder, top });
    if (this.#state === 'aborted') return; // aborted while creating the folder
    await writeSynced(temp, data);
  }

  #checkOpen(operation: string): void {
    if (this.#state !== 'open') throw new Error(`OutputSet: cannot ${operation}, the set is already ${this.#state}`);
  }
}

/** A staged output written piece by piece; see `OutputSet.openStream`. */
export interface StagedStream {
  /** The target path (resolved). */
  readonly path: string;
  /**
   * Queues `chunk`; ignored once the set is committed or aborted, or after a write error. Resolves
   * when the stream has room for more: at once while its buffer is under its high-water mark, else
   * on 'drain' (or when the stream fails or closes; the error itself surfaces at `commit`). A
   * writer that awaits it never holds more than about one buffer of data in memory.
   */
  write(chunk: FileData): Promise<void>;
}

/** The error of an output whose folder cannot be made: one line naming the output. */
function cannotWrite(path: string, error: unknown): InputError {
  const { code, path: where } = error as NodeJS.ErrnoException;
  return new InputError(path, `cannot create the folder ${where ?? dirname(path)} (${code ?? (error as Error).message})`);
}

/** Creates `path` (which must not exist), writes and fsyncs it; removes it again on any failure. */
async function writeSynced(path: string, data: FileData): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await removeQuietly(path);
    throw error;
  }
}

/** Deletes a temporary file if it is there; cleanup never hides the error that caused it. */
async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
}

/** Whether a file can be created in the folder `path` would be written in (its nearest existing one): an InputError if not. */
async function probeFolder(path: string): Promise<void> {
  const folder = await nearestExisting(dirname(resolve(path)));
  if (!folder.isDirectory) throw new InputError(path, `${folder.path} is not a folder`);
  const probe = scratchName(folder.path, 'tmp');
  try {
    await (await open(probe, 'wx')).close();
  } catch (error) {
    throw new InputError(path, `cannot write in ${folder.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  await removeQuietly(probe);
}
