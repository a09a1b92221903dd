/**
 * The folders of the outputs: finding where a path's existing part ends, creating the missing
 * part one level at a time, and removing it again. Not `mkdir(…, { recursive: true })`: on Node 20
 * it never returns when the kernel answers ENOENT for a folder whose parent exists (any path
 * under /proc, such as /proc/nope), and spins a core until it is killed.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, open, rmdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The nearest path at or above `folder` that exists, and whether it is a folder. */
export async function nearestExisting(folder: string): Promise<{ path: string; isDirectory: boolean }> {
  for (let current = folder; ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info) return { path: current, isDirectory: info.isDirectory() };
    if (dirname(current) === current) return { path: current, isDirectory: false };
  }
}

/** Whether anything is at `path`. */
const present = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

const presentSync = (path: string): boolean => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

/** Ignores EEXIST: the folder was made meanwhile (by another output of the same set). */
const unlessExists = (error: unknown): void => {
  if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
};

/**
 * Creates `folder` and any missing parents, each with one plain `mkdir`; returns the outermost
 * folder it created (undefined when `folder` existed), as `mkdir` with `recursive` does. The first
 * refusal (ENOENT under /proc, EACCES, ENOTDIR …) is thrown as it comes.
 */
export async function makeFolders(folder: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let current = folder; !(await present(current)) && !missing.includes(current); current = dirname(current)) missing.unshift(current);
  for (const path of missing) await mkdir(path).catch(unlessExists);
  return missing[0];
}

/** `makeFolders`, synchronously. */
export function makeFoldersSync(folder: string): string | undefined {
  const missing: string[] = [];
  for (let current = folder; !presentSync(current) && !missing.includes(current); current = dirname(current)) missing.unshift(current);
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      unlessExists(error);
    }
  }
  return missing[0];
}

/** Removes `folder` and its parents up to and including `top`, stopping at the first that is not empty. */
export async function removeEmptyFolders(folder: string, top: string): Promise<void> {
  for (let current = folder; ; current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    if (current === top || dirname(current) === current) return;
  }
}

/** Makes a rename durable. Best effort: some platforms cannot open or fsync a folder. */
export async function syncDirectory(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not supported here (e.g. Windows); the rename itself has happened
  }
}
