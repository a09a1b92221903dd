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

/** A URL in a text: http(s):// or s3://, up to a space, a quote or a bracket, less the punctuation after it (`url: problem`). */
const URL_IN_TEXT = /\b(?:https?|s3):\/\/[^\s'"<>()[\]]*[^\s'"<>()[\].,:;!?]/gi;
/** Query parameters that carry a credential: presigned S3 and GCS URLs, Azure SAS, tokens, keys. */
const SECRET_PARAMETER = /^(?:x-amz-(?:signature|credential|security-token)|x-goog-(?:signature|credential)|signature|sig|token|access_token|id_token|api[-_]?key|key|password|passwd|secret|auth|authorization)$/i;

/** `url` with its password (or a token given as the user name) and its credential parameters shown as `***`. */
function redactUrl(url: string): string {
  const scheme = url.indexOf('://') + 3;
  const end = url.slice(scheme).search(/[/?#]/);
  const authority = end < 0 ? url.slice(scheme) : url.slice(scheme, scheme + end);
  const at = authority.lastIndexOf('@');
  let out = url;
  if (at >= 0) {
    const user = authority.slice(0, at);
    const colon = user.indexOf(':');
    out = url.slice(0, scheme) + (colon >= 0 ? `${user.slice(0, colon)}:***` : '***') + url.slice(scheme + at);
  }
  const query = out.indexOf('?');
  if (query < 0) return out;
  const hash = out.indexOf('#', query);
  const [head, search, tail] = [out.slice(0, query + 1), out.slice(query + 1, hash < 0 ? undefined : hash), hash < 0 ? '' : out.slice(hash)];
  const redacted = search.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    let name = eq < 0 ? pair : pair.slice(0, eq);
    try {
      name = decodeURIComponent(name);
    } catch {
      // A malformed escape is matched as written.
    }
    return eq >= 0 && SECRET_PARAMETER.test(name) ? `${pair.slice(0, eq)}=***` : pair;
  });
  return head + redacted.join('&') + tail;
}

/**
 * `text` with the credentials of every URL in it shown as `***`: a password or token in the
 * URL's user part, and the query parameters that carry one (a presigned URL's signature). Every
 * message and log line, and the report's inputs, name URLs this way, so that none puts a
 * credential in a terminal's scrollback, a CI log or a shared report.
 */
export function redactUrls(text: string): string {
  return text.includes('://') ? text.replace(URL_IN_TEXT, redactUrl) : text;
}

/**
 * `text` as one line a terminal shows as it is: line breaks become spaces, other control
 * characters are escaped (`\x1b`), URLs' credentials hidden (`redactUrls`), and the whole is cut
 * to `max` characters. A huge text is cut before it is scanned, so a 10 MB path costs no more than
 * a short one.
 */
export function oneLine(text: string, max = MAX_MESSAGE_CHARS): string {
  const bounded = redactUrls(cutText(text, 8 * max));
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
