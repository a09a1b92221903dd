/**
 * The longest error message, in characters: longer ones are cut in the middle (` … `). The longest
 * the project writes itself, a download's sha256 mismatch (three hashes and the data folder), is
 * near 390; what makes a message longer is text from an input (a key, a path), cut here.
 */
export const MAX_MESSAGE_CHARS = 400;
/** The longest file name in a message: a 10 MB path keeps its start and its end. */
const MAX_FILE_CHARS = 120;

/**
 * Characters a terminal would act on rather than show: C0 and C1 controls (ESC starts an escape
 * sequence), DEL, the Unicode line separators and the bidirectional overrides.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeControl = (c: string): string => {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** `text` cut to at most `max` characters: its first two thirds and its end, joined by ` … `. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, Math.ceil(((max - 3) * 2) / 3));
  let tail = text.slice(text.length - (max - 3 - head.length));
  // Never half a surrogate pair at a cut.
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  if (/^[\udc00-\udfff]/.test(tail)) tail = tail.slice(1);
  return `${head} … ${tail}`;
}

/**
 * `text` as one line a terminal shows as it is: line breaks become spaces, other control
 * characters are escaped (`\x1b`), and the whole is cut to `max` characters. A huge text is cut
 * before it is scanned, so a 10 MB path costs no more than a short one.
 */
export function oneLine(text: string, max = MAX_MESSAGE_CHARS): string {
  const bounded = cutText(text, 8 * max);
  return cutText(bounded.replace(/[\r\n]+/g, ' ').replace(CONTROL, escapeControl), max);
}

/**
 * At most `shown` of `items`, joined by `, `, then `… and N more` for the rest: a list of any
 * length in one short line. `total` is the full count when `items` holds only the first ones.
 */
export function listSome(items: readonly unknown[], shown = 10, total = items.length): string {
  const listed = items.slice(0, shown);
  const text = listed.map(String).join(', ');
  return total > listed.length ? `${text} … and ${total - listed.length} more` : text;
}

/**
 * A failure the user caused (a bad file, a bad option). Its message is one line:
 * `<file>: <what is wrong>`, at most MAX_MESSAGE_CHARS long with every control character escaped,
 * whatever a corrupt file put into the text (a key, an entry name) or a path holds. The CLI
 * prints it without a stack trace and exits with `exitCode`. `file` and `problem` stay as given.
 */
export class InputError extends Error {
  readonly exitCode: number = 1;
  constructor(readonly file: string, readonly problem: string) {
    super(oneLine(`${oneLine(file, MAX_FILE_CHARS)}: ${problem}`));
    this.name = 'InputError';
  }
}

/** Wrong command-line usage: exit status 2. Its message is one line, as an InputError's. */
export class UsageError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'UsageError';
  }
}

/**
 * Runs `decide` (a library call that checks its arguments, such as planning the forward pass) at
 * the command line's boundary: the RangeError or TypeError it throws for a value no run can use
 * is the user's option, so it becomes a UsageError (exit status 2).
 */
export function usageErrorOf<T>(decide: () => T): T {
  try {
    return decide();
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
}
