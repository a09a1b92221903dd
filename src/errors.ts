/**
 * A failure the user caused (a bad file, a bad option). Its message is one line:
 * `<file>: <what is wrong>`. The CLI prints it without a stack trace and exits with `exitCode`.
 */
export class InputError extends Error {
  readonly exitCode: number = 1;
  constructor(readonly file: string, readonly problem: string) {
    // One line, whatever a corrupt file put into the text (a key, an entry name).
    super(`${file}: ${problem}`.replace(/[\r\n]+/g, ' '));
    this.name = 'InputError';
  }
}

/** Wrong command-line usage: exit status 2. */
export class UsageError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
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
