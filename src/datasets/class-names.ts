/**
 * Class names (`--classes NAME,NAME,…` or `--classes FILE`, one name a line, or a dataset's own):
 * read as untrusted text, bounded, and made fit for one line of a terminal, a PNG caption and an
 * HTML page. The names are checked here for what a list alone can break (empty, duplicate, too
 * long); that there is one for each of the network's outputs is checked once the network is known.
 */
import { stat } from 'node:fs/promises';
import { InputError, UsageError } from '../errors.js';
import { readAtMost } from '../weights/read-weight-file.js';

/** The largest class-name file read: far above 1,024 names of 64 characters. */
export const MAX_CLASS_FILE_BYTES = 256 * 1024;
/** The longest name, in characters, after it is made one line. */
export const MAX_CLASS_NAME_CHARS = 64;

/** Where the names come from: the list given on the command line, or a file of one name a line. */
export type ClassNamesSource = readonly string[] | { readonly file: string };

/**
 * Characters that would break a line or act on a terminal (C0 and C1 controls, DEL, the Unicode
 * line separators, the bidirectional controls and other format characters such as zero-width
 * joiners): each becomes a space, and runs of spaces become one.
 */
const NOT_ONE_LINE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\s]+/gu;

/** `name` as one line: every control or format character and every run of white space one space, trimmed. */
export const oneLineName = (name: string): string => name.replace(NOT_ONE_LINE, ' ').trim();

type Fail = (problem: string) => never;

/** The names, made one line and checked: none empty, none too long, none twice. */
function checkedNames(raw: readonly string[], fail: Fail): string[] {
  if (raw.length === 0) fail('no class names, expected one for each output of the network');
  const seen = new Map<string, number>();
  return raw.map((text, i) => {
    const name = oneLineName(text);
    if (name === '') fail(`class ${i} has an empty name`);
    const chars = Array.from(name).length;
    if (chars > MAX_CLASS_NAME_CHARS) fail(`the name of class ${i} is ${chars} characters, expected at most ${MAX_CLASS_NAME_CHARS}`);
    const twin = seen.get(name);
    if (twin !== undefined) fail(`classes ${twin} and ${i} have the same name '${name}', expected a different name for each class`);
    seen.set(name, i);
    return name;
  });
}

/** Why `names` could not have come from a run (as a partial report's `classes` is checked), or undefined. */
export function classNamesProblem(names: readonly string[]): string | undefined {
  const bad = names.findIndex((name) => oneLineName(name) !== name);
  if (bad >= 0) return `classes[${bad}] is not one line of text without control characters or surrounding spaces`;
  try {
    checkedNames(names, (problem) => {
      throw new Error(problem);
    });
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/** `--classes a,b,c`: the names between the commas, or a usage error. */
export function classNamesFromList(list: string): string[] {
  return checkedNames(list.split(','), (problem) => {
    throw new UsageError(`--classes: ${problem}`);
  });
}

/** The names in `text`, one a line (LF or CRLF, a final line break allowed, a UTF-8 BOM skipped). */
export function classNamesFromText(text: string, file: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return checkedNames(lines, (problem) => {
    throw new InputError(file, problem);
  });
}

/** The bytes of `file`, at most `limit` of them, refused past it before they are held (pipes included). */
async function readBounded(file: string, limit: number): Promise<Buffer> {
  let bytes: Buffer | undefined;
  try {
    if ((await stat(file)).isDirectory()) throw new InputError(file, 'is a folder, expected a file of class names, one a line');
    bytes = await readAtMost(file, limit);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? 'no such file (--classes names a file of class names, one a line, unless it holds a comma)' : `cannot read (${(error as Error).message})`);
  }
  if (bytes === undefined) throw new InputError(file, `more than ${limit} bytes, too large for a file of class names`);
  return bytes;
}

/** The class names of `file`: UTF-8 text, one name a line, at most MAX_CLASS_FILE_BYTES. */
export async function readClassNames(file: string, limit = MAX_CLASS_FILE_BYTES): Promise<string[]> {
  const bytes = await readBounded(file, limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(file, 'not UTF-8 text, expected class names, one a line');
  }
  return classNamesFromText(text, file);
}

/** The names of `source`: the list as it is (checked when it was parsed), or the file's. */
export async function resolveClassNames(source: ClassNamesSource): Promise<readonly string[]> {
  return Array.isArray(source) ? source : readClassNames((source as { readonly file: string }).file);
}

/** Refuses `names` unless there is one for each of the network's `outputs`. */
export function checkClassCount(names: readonly string[], outputs: number, source: ClassNamesSource | 'dataset', dataset?: string): void {
  if (names.length === outputs) return;
  const problem = `${names.length} class names, expected ${outputs} (one for each output of the network)`;
  if (source === 'dataset') throw new UsageError(`--dataset ${dataset}: its ${problem}; give --classes to name them`);
  if (Array.isArray(source)) throw new UsageError(`--classes: ${problem}`);
  throw new InputError((source as { readonly file: string }).file, problem);
}
