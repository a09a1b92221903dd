/**
 * Range requests to an http:// or https:// URL (node:http, node:https): redirects followed (at
 * most MAX_REDIRECTS, never from https to http), `206 Partial Content` checked against the range asked for, 404, 403 and
 * the other 4xx as one-line InputErrors (`https://…/x.gz: HTTP 404 Not Found`), 5xx and 429 as
 * transient. A connection silent for IDLE_TIMEOUT_MS fails (transient), so a stalled server
 * cannot hold a run forever.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { InputError } from '../errors.js';
import { networkError } from './network-error.js';
import { parseContentRange, RangeIgnoredError, rangeHeader, TransientError, type RangeReader, type RangeRequest, type RangeResponse } from './range-reader.js';

export const MAX_REDIRECTS = 5;
const IDLE_TIMEOUT_MS = 30_000;

/** The reader of `url`'s bytes by Range; an InputError when `url` does not parse. */
export function httpRangeReader(url: string): RangeReader {
  if (!URL.canParse(url) || new URL(url).hostname === '') throw new InputError(url, 'not a valid URL');
  return (request) => requestRange(url, url, request, 0);
}

async function requestRange(url: string, at: string, request: RangeRequest, redirects: number): Promise<RangeResponse> {
  const response = await send(url, at, request);
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && status !== 304) {
    response.resume();
    const location = response.headers.location;
    if (location === undefined) throw new InputError(url, `HTTP ${status} ${response.statusMessage ?? ''} without a Location to follow`);
    if (redirects >= MAX_REDIRECTS) throw new InputError(url, `more than ${MAX_REDIRECTS} redirects (the last to ${location})`);
    const next = new URL(location, at);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new InputError(url, `redirected to ${next.protocol} (${location}), expected http or https`);
    // What was asked for over TLS is not fetched in the clear, nor then trusted as that object.
    if (new URL(at).protocol === 'https:' && next.protocol === 'http:') throw new InputError(url, `redirected from https to http (${location}): refused, the data would come unencrypted and unauthenticated`);
    return requestRange(url, next.href, request, redirects + 1);
  }
  if (status === 200 || status === 206) return rangeResponse(url, response, request);
  response.resume();
  const problem = `HTTP ${status} ${response.statusMessage ?? ''}`.trim();
  if (status >= 500 || status === 429 || status === 408) throw new TransientError(problem);
  throw new InputError(url, status === 416 ? `${problem} (${rangeHeader(request)})` : problem);
}

function send(url: string, at: string, request: RangeRequest): Promise<IncomingMessage> {
  const get = at.toLowerCase().startsWith('https:') ? httpsGet : httpGet;
  const headers = { 'accept-encoding': 'identity', ...(request.start === 0 && request.end === undefined ? {} : { range: rangeHeader(request) }) };
  return new Promise((resolve, reject) => {
    const sent = get(at, { headers, signal: request.signal, timeout: IDLE_TIMEOUT_MS }, resolve);
    sent.on('timeout', () => sent.destroy(new TransientError(`no data for ${IDLE_TIMEOUT_MS / 1000} s`)));
    sent.on('error', (error) => reject(networkError(url, error)));
  });
}

function rangeResponse(url: string, response: IncomingMessage, request: RangeRequest): RangeResponse {
  const { headers } = response;
  const declared = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const validator = headers.etag ?? headers['last-modified'];
  if (response.statusCode === 200) {
    if (request.start > 0 || request.end !== undefined) {
      response.destroy();
      throw new RangeIgnoredError(url, `the server ignores Range requests (HTTP 200 to ${rangeHeader(request)}), which a resumed read and a shard need`);
    }
    return { body: response, length: declared, size: declared, validator };
  }
  const range = parseContentRange(headers['content-range']);
  if (range === undefined || range.first !== request.start) {
    response.destroy();
    throw new InputError(url, `HTTP 206 for ${rangeHeader(request)} with Content-Range '${headers['content-range'] ?? ''}'`);
  }
  return { body: response, length: declared, size: range.size, validator };
}
