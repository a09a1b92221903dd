/**
 * One-line InputErrors for what goes wrong while opening or reading a data path: the system's
 * error codes and zlib's, named for the user. Errors that are not the user's (bugs) pass through.
 */
import { InputError } from '../errors.js';

/**
 * The one-line InputError for a failure while opening or reading `path`; `compressed` says what
 * zlib was decompressing. Errors that are not the user's (bugs) pass through unchanged.
 */
export function toInputError(path: string, error: unknown, compressed = 'gzip data'): Error {
  if (error instanceof InputError || !(error instanceof Error)) return error as Error;
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOENT':
      return new InputError(path, 'no such file');
    case 'ENOTDIR':
      return new InputError(path, 'no such file (a folder on the path is a file)');
    case 'EACCES':
    case 'EPERM':
      return new InputError(path, 'permission denied');
    case 'EISDIR':
      return new InputError(path, 'is a directory, expected a file');
    case 'Z_BUF_ERROR':
      return new InputError(path, `truncated ${compressed} (unexpected end of file)`);
    case 'Z_DATA_ERROR':
      // The stream began with the gzip magic, so a bad header check can only be a later "member".
      if (compressed === 'gzip data' && message === 'incorrect header check') return new InputError(path, 'trailing garbage after the gzip data');
      return new InputError(path, `corrupted ${compressed} (${message})`);
  }
  if (code?.startsWith('Z_')) return new InputError(path, `corrupted ${compressed} (${message})`);
  if ('syscall' in error) return new InputError(path, `cannot read (${message})`);
  return error;
}
