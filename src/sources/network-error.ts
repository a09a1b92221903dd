/**
 * A failed request, sorted for the resuming stream: a dropped or refused connection and a
 * timeout may pass (TransientError, tried again); a host that does not resolve or a TLS failure
 * will not, and is a one-line InputError naming the URL and the cause.
 */
import { InputError } from '../errors.js';
import { TransientError } from './range-reader.js';

const TRANSIENT = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
const TLS = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|EPROTO$|HOSTNAME_MISMATCH$)/;

/** `error` from a request to `url` as a TransientError or an InputError; other errors (bugs) unchanged. */
export function networkError(url: string, error: unknown): Error {
  if (error instanceof InputError || error instanceof TransientError || !(error instanceof Error)) return error as Error;
  const { code, message } = error as NodeJS.ErrnoException;
  const host = (error as { hostname?: string }).hostname;
  if (code === 'ENOTFOUND') return new InputError(url, `cannot resolve host ${host ?? new URL(url).hostname} (DNS ENOTFOUND)`);
  // A name server that did not answer may answer the next time.
  if (code === 'EAI_AGAIN') return new TransientError(`cannot resolve host ${host ?? new URL(url).hostname} (DNS EAI_AGAIN)`, { cause: error });
  if (code !== undefined && TLS.test(code)) return new InputError(url, `TLS error (${code}: ${message})`);
  if (code !== undefined && TRANSIENT.has(code)) return new TransientError(`connection failed (${code}: ${message})`, { cause: error });
  if (message === 'aborted' || message === 'socket hang up' || error.name === 'TimeoutError') return new TransientError(`connection failed (${message})`, { cause: error });
  return error;
}
