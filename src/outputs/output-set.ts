import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { InputError } from '../errors.js';
import { makeFolders, makeFoldersSync, nearestExisting, removeEmptyFolders, syncDirectory } from './folders.js';

/**
 * Writing outputs so that a reader never sees half a file and a failed run leaves nothing behind:
 * data goes to a temporary file in the target's folder, is fsynced, and is renamed over the target
 * (a rename within one folder is atomic on POSIX file systems).
 */

export type FileData = Uint8Array | string;

/** An output's path and what it is, for messages: `{ path: 'out/x.json', as: '--report' }`. */
export interface OutputTarget {
  readonly path: string;
  readonly as: string;
}

/** The temporary name used for `path`: `.<name>.<pid>.<random>.tmp` in the same folder. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
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
 * Renames are atomic one by one, not as a group: if the disk fails between two renames, the first
 * file stays. Everything before `commit` (rendering, encoding, writing) can fail without a trace.
 *
 * Outputs produced bit by bit (a CSV row per batch) use `openStream`, which stages a temporary file
 * written through a stream; `commit` flushes and fsyncs it before renaming. `checkWritable` checks the
 * targets up front, so a bad output path fails before a long evaluation rather than after it.
 */
export class OutputSet {
  readonly #staged = new Map<string, string>(); // target path → temporary path
  readonly #createdFolders: Array<{ folder: string; top: string }> = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #streams = new Map<string, { stream: WriteStream; error?: Error }>(); // temp path → stream
  /** The first failed write, so `commit` refuses even after the failed stage has settled. */
  #failure: { error: unknown } | undefined;
  #state: 'open' | 'committing' | 'committed' | 'aborted' | 'failed' = 'open';

  /** Target paths staged so far, in staging order. */
  get paths(): string[] {
    return [...this.#staged.keys()];
  }

  /** Writes `data` to a temporary file beside `path`; nothing appears at `path` until `commit`. */
  stage(path: string, data: FileData): Promise<void> {
    this.#checkOpen('stage');
    const target = resolve(path);
    if (this.#staged.has(target)) throw new Error(`OutputSet: ${path} is already staged`);
    const temp = tempPathFor(target);
    this.#staged.set(target, temp); // registered before writing, so abort() removes it even mid-write
    const write = this.#write(target, temp, data).catch((error: unknown) => {
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
    const target = resolve(path);
    if (this.#staged.has(target)) throw new Error(`OutputSet: ${path} is already staged`);
    const folder = dirname(target);
    let top: string | undefined;
    try {
      top = makeFoldersSync(folder);
    } catch (error) {
      throw cannotWrite(path, error);
    }
    if (top !== undefined) this.#createdFolders.push({ folder, top });
    const temp = tempPathFor(target);
    this.#staged.set(target, temp);
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
   * Fails early, with an `InputError` naming the path, when an output could not be written: it is a
   * folder, two outputs share a path (the message names both, when the targets say what they are),
   * or a file cannot be created in the nearest existing folder above it. That is tried for real, with
   * a temporary file removed at once (permissions alone do not tell: root may write anywhere, but
   * not in /proc or on a read-only mount). Leaves nothing behind.
   */
  async checkWritable(targets: ReadonlyArray<string | OutputTarget>): Promise<void> {
    const seen = new Map<string, OutputTarget | string>();
    for (const given of targets) {
      const path = typeof given === 'string' ? given : given.path;
      const target = resolve(path);
      const twin = seen.get(target);
      if (twin !== undefined) {
        throw new InputError(path, typeof twin === 'string' || typeof given === 'string'
          ? 'given for two different outputs, expected distinct paths'
          : `given as ${twin.as} and as ${given.as}`);
      }
      seen.set(target, given);
      const existing = await stat(target).catch(() => undefined);
      if (existing?.isDirectory()) throw new InputError(path, 'is a folder, expected a file path');
      const folder = await nearestExisting(dirname(target));
      if (!folder.isDirectory) throw new InputError(path, `${folder.path} is not a folder`);
      const probe = tempPathFor(join(folder.path, basename(target)));
      try {
        await (await open(probe, 'wx')).close();
      } catch (error) {
        throw new InputError(path, `cannot write in ${folder.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      await removeQuietly(probe);
    }
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
      throw new Error('OutputSet: cannot commit after a failed write; call abort()', { cause: this.#failure.error });
    }
    const entries = [...this.#staged];
    for (const [i, [target, temp]] of entries.entries()) {
      try {
        await rename(temp, target);
      } catch (error) {
        this.#state = 'failed';
        await Promise.all(entries.slice(i).map(([, rest]) => removeQuietly(rest)));
        throw error;
      }
    }
    this.#state = 'committed';
    await Promise.all([...new Set(entries.map(([target]) => dirname(target)))].map(syncDirectory));
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

  async #write(target: string, temp: string, data: FileData): Promise<void> {
    const folder = dirname(target);
    const top = await makeFolders(folder).catch((error: unknown) => {
      throw cannotWrite(target, error);
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

/** Resolves on the stream's next 'drain', 'error' or 'close', whichever comes first. */
function drained(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

/** Ends the stream, then fsyncs the file (a WriteStream cannot), and reports any write error. */
async function finishStream(entry: { stream: WriteStream; error?: Error }): Promise<void> {
  const { stream } = entry;
  if (!stream.closed) {
    const closed = once(stream, 'close');
    stream.end();
    await closed.catch(() => undefined);
  }
  if (entry.error) throw entry.error;
  const handle = await open(stream.path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Stops the stream without caring about its data; its file is deleted afterwards. */
async function closeStream(entry: { stream: WriteStream }): Promise<void> {
  const { stream } = entry;
  if (stream.closed) return;
  const closed = once(stream, 'close');
  stream.destroy();
  await closed.catch(() => undefined);
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
