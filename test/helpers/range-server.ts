/**
 * A local HTTP server for the remote-source tests (node:http on 127.0.0.1): it serves named
 * byte arrays with Range support (206 and Content-Range, an ETag per content), records every
 * request with the bytes it really sent, and injects faults by name: a status (404, 403, 503),
 * a connection dropped at a byte (a few times, then served whole), a body always cut at a byte
 * (Content-Length promising more), a redirect. `proxyTo` forwards instead (to s3rver), keeping
 * the Host header the client signed, so S3 requests are recorded and faulted the same way.
 */
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Answer with this status (`times` times, when given). */
  readonly status?: number;
  /** Destroy the connection once the body reaches this byte of the object, `times` times. */
  readonly dropAt?: number;
  times?: number;
  /** Called at each drop (a test replaces the object there, to make it change mid-read). */
  readonly onDrop?: () => void;
  /** Always end the connection at this byte of the object, whatever Content-Length said. */
  readonly cutAt?: number;
  readonly redirectTo?: string;
  /** Stop writing at this byte of the object and hold the connection open, silent. */
  readonly stallAt?: number;
  /** Answer every request with the whole object (200), as a server without Range support does. */
  readonly ignoreRange?: boolean;
}

export interface Served {
  readonly path: string;
  readonly range: string | undefined;
  readonly status: number;
  /** The object's bytes the server wrote: [first, first + sent). */
  readonly first: number;
  sent: number;
}

export interface RangeServer {
  readonly origin: string;
  readonly files: Map<string, Buffer>;
  readonly faults: Map<string, Fault>;
  readonly served: Served[];
  url(name: string): string;
  close(): Promise<void>;
}

const etagOf = (bytes: Buffer): string => `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"`;

/** The range `bytes=a-b` or `bytes=a-` asks for, of an object of `size` bytes; undefined when it cannot be served. */
function rangeOf(header: string, size: number): { readonly first: number; readonly last: number } | undefined {
  const match = /^bytes=(\d+)-(\d*)$/.exec(header);
  if (match === null) return undefined;
  const first = Number(match[1]);
  const last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return first < size && first <= last ? { first, last } : undefined;
}

export interface ServerOptions {
  readonly proxyTo?: string;
  /** Serve https:// with this key and certificate (PEM). */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
}

export async function startRangeServer(files: Record<string, Buffer> = {}, options: ServerOptions = {}): Promise<RangeServer> {
  const state = { files: new Map(Object.entries(files)), faults: new Map<string, Fault>(), served: [] as Served[] };
  const handle: RequestListener = (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname.slice(1));
    const fault = state.faults.get(path);
    if (fault?.redirectTo !== undefined) return void response.writeHead(302, { location: fault.redirectTo }).end();
    if (fault?.status !== undefined && (fault.times ?? 1) > 0) {
      if (fault.times !== undefined) fault.times -= 1;
      return void response.writeHead(fault.status).end('no');
    }
    if (options.proxyTo !== undefined) return proxy(options.proxyTo, request, response, path, fault, state.served);
    const bytes = state.files.get(path);
    if (bytes === undefined) return void response.writeHead(404).end();
    const headers = { etag: etagOf(bytes), 'accept-ranges': 'bytes' };
    let first = 0;
    let last = bytes.length - 1;
    let status = 200;
    if (request.headers.range !== undefined && fault?.ignoreRange !== true) {
      const range = rangeOf(request.headers.range, bytes.length);
      if (range === undefined) return void response.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
      ({ first, last } = range);
      status = 206;
      response.setHeader('content-range', `bytes ${first}-${last}/${bytes.length}`);
    }
    response.writeHead(status, { ...headers, 'content-length': last - first + 1 });
    const record: Served = { path, range: request.headers.range, status, first, sent: 0 };
    state.served.push(record);
    response.flushHeaders();
    writeBody(response, bytes.subarray(first, last + 1), first, fault, record);
  };
  const server = options.tls === undefined ? createServer(handle) : createTlsServer(options.tls, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    ...state,
    url: (name) => `${origin}/${name}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The body in chunks of 64 KiB, waiting for the socket, with the fault's drop or cut applied. */
function writeBody(response: ServerResponse, body: Buffer, first: number, fault: Fault | undefined, record: Served): void {
  const dropping = fault?.dropAt !== undefined && (fault.times ?? 1) > 0;
  const stopAt = fault?.cutAt ?? fault?.stallAt ?? (dropping ? fault!.dropAt! : Infinity);
  let offset = 0;
  const next = (): void => {
    const end = Math.min(body.length, offset + 65536, Math.max(0, stopAt - first));
    if (end > offset) {
      record.sent += end - offset;
      const more = response.write(body.subarray(offset, end));
      offset = end;
      if (more) setImmediate(next);
      else response.once('drain', next);
      return;
    }
    if (offset >= body.length) return void response.end();
    if (fault?.stallAt !== undefined) return;
    // The fault: the connection ends with the body short of its Content-Length.
    if (dropping) {
      fault!.times = (fault!.times ?? 1) - 1;
      fault!.onDrop?.();
    }
    response.socket?.end();
  };
  next();
}

/** Forwards `request` to `target`, recording what comes back and cutting it as `fault` says. */
function proxy(target: string, request: IncomingMessage, response: ServerResponse, path: string, fault: Fault | undefined, served: Served[]): void {
  const forwarded = httpRequest(new URL(request.url ?? '/', target), { method: request.method, headers: request.headers }, (upstream) => {
    const status = upstream.statusCode ?? 502;
    const first = /^bytes (\d+)-/.exec(String(upstream.headers['content-range'] ?? ''))?.[1];
    const record: Served = { path, range: request.headers.range, status, first: first === undefined ? 0 : Number(first), sent: 0 };
    response.writeHead(status, upstream.headers);
    const chunks: Buffer[] = [];
    upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
    upstream.on('end', () => {
      if (request.method === 'GET' && status < 300) served.push(record);
      writeBody(response, Buffer.concat(chunks), record.first, request.method === 'GET' ? fault : undefined, record);
    });
  });
  forwarded.on('error', () => response.destroy());
  request.pipe(forwarded);
}
