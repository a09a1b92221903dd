/**
 * Renaming a set of staged files into place so that a failure leaves the previous files: each
 * existing target is kept under a backup name first (a hard link, so the target itself stays in
 * place and is replaced by one atomic rename; moved aside where links cannot be made), then the
 * new file is renamed over it. If any step fails, the files already renamed in are taken back (the
 * backups renamed over them, or a new file removed), and the error names the target. The backups
 * are deleted only once every file is in place.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { refuseNonRegular } from './output-places.js';

/** The file-system calls a commit makes; tests hand in one that fails on purpose. */
export interface CommitFs {
  readonly rename: (from: string, to: string) => Promise<void>;
  readonly link: (existing: string, name: string) => Promise<void>;
  readonly unlink: (path: string) => Promise<void>;
}

export const NODE_FS: CommitFs = { rename, link, unlink };

/** A hidden name in `folder` that holds no part of any target's name, so it is short whatever the target's: `.mnist-eval.<12 hex>.<suffix>`. */
export const scratchName = (folder: string, suffix: 'tmp' | 'bak'): string => join(folder, `.mnist-eval.${randomBytes(6).toString('hex')}.${suffix}`);

/** One staged file: its target (resolved), the path the user gave, and the temporary file. */
export interface StagedFile {
  readonly target: string;
  readonly given: string;
  readonly temp: string;
}

interface Step {
  readonly file: StagedFile;
  /** Where the previous file is kept, if there was one; `moved` when it was renamed there rather than linked. */
  backup?: string;
  moved?: boolean;
  placed?: boolean;
}

/** Renames every file of `files` into place, in order, or none of them (see the file's comment). */
export async function commitFiles(files: readonly StagedFile[], fs: CommitFs = NODE_FS): Promise<void> {
  const steps: Step[] = [];
  try {
    for (const file of files) {
      const step: Step = { file };
      steps.push(step);
      await keepPrevious(step, fs);
      await fs.rename(file.temp, file.target).catch((error: unknown) => {
        throw new InputError(file.given, `cannot be replaced (${codeOf(error)})`);
      });
      step.placed = true;
    }
  } catch (error) {
    await Promise.all(files.slice(steps.length - 1).map(({ temp }) => fs.unlink(temp).catch(() => undefined)));
    for (const step of steps.reverse()) await undo(step, fs);
    if (!(error instanceof InputError)) throw error;
    throw new InputError(error.file ?? '', `${error.problem ?? error.message}; no output was replaced`);
  }
  await Promise.all(steps.map(({ backup }) => backup === undefined ? undefined : fs.unlink(backup).catch(() => undefined)));
}

/**
 * Keeps the file at the step's target under a backup name. Refuses what appeared there since the
 * check (a folder, a device): a commit never moves or replaces anything but a regular file or a link.
 */
async function keepPrevious(step: Step, fs: CommitFs): Promise<void> {
  const { target, given } = step.file;
  const info = await lstat(target).catch(() => undefined);
  if (info === undefined) return;
  await refuseNonRegular(given, target);
  const backup = scratchName(dirname(target), 'bak');
  try {
    await fs.link(target, backup);
  } catch {
    await fs.rename(target, backup).catch((error: unknown) => {
      throw new InputError(given, `cannot be replaced (${codeOf(error)})`);
    });
    step.moved = true;
  }
  step.backup = backup;
}

/** Takes one step back: the previous file returns to the target, or the new one goes. Best effort. */
async function undo(step: Step, fs: CommitFs): Promise<void> {
  const { target } = step.file;
  if (step.backup !== undefined && (step.placed || step.moved)) await fs.rename(step.backup, target).catch(() => undefined);
  else if (step.backup !== undefined) await fs.unlink(step.backup).catch(() => undefined);
  else if (step.placed) await fs.unlink(target).catch(() => undefined);
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;
