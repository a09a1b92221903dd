/**
 * resumingStream over RangeReaders written in the test: what it asks for after each failure, when
 * it gives up (failures in a row, resumes in all), an object that changes, errors that are not
 * retried, and destroying the stream mid-request. No network; backoff 0 so nothing waits.
 */
import test from 'ava';
import { Readable } from 'node:stream';
import { InputError } from '../../src/errors.js';
import { TransientError, type RangeReader, type RangeRequest, type RangeResponse } from '../../src/sources/range-reader.js';
import { resumingStream } from '../../src/sources/resuming-stream.js';

const URL = 'https://example.test/x';
const object = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251));

/** A body of `bytes` that fails with ECONNRESET after `failAfter` of them (never, when undefined). */
function body(bytes: Buffer, failAfter?: number): Readable {
  return Readable.from((async function* (): AsyncGenerator<Buffer> {
    if (failAfter === undefined) {
      yield bytes;
      return;
    }
    if (failAfter > 0) yield bytes.subarray(0, failAfter);
    throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  })(), { objectMode: false });
}

/** A reader of `data` that records each request; `fail(n, request)` says after how many bytes answer n breaks. */
function readerOf(data: () => Buffer, fail: (n: number, request: RangeRequest) => number | undefined = () => undefined, validator = () => '"v1"') {
  const requests: Array<{ start: number; end?: number }> = [];
  const read: RangeReader = async (request): Promise<RangeResponse> => {
    requests.push({ start: request.start, end: request.end });
    const bytes = data().subarray(request.start, request.end);
    const size = data().length;
    return { body: body(bytes, fail(requests.length, request)), length: bytes.length, size, validator: validator() };
  };
  return { read, requests };
}

const collect = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const open = (read: RangeReader, options: { start?: number; end?: number; retries?: number } = {}) =>
  resumingStream(URL, read, { start: options.start ?? 0, end: options.end, retries: options.retries, highWaterMark: 64, version: {}, backoffMs: 0 });

test('each failure resumes from the byte it reached, with the same end', async (t) => {
  const { read, requests } = readerOf(() => object, (n) => (n <= 3 ? 40 : undefined));
  t.true((await collect(open(read, { start: 10, end: 250 }))).equals(object.subarray(10, 250)));
  t.deepEqual(requests, [{ start: 10, end: 250 }, { start: 50, end: 250 }, { start: 90, end: 250 }, { start: 130, end: 250 }]);
});

test('a body that breaks after every byte still ends: 100 resumes in all, then an error', async (t) => {
  const small = readerOf(() => object.subarray(0, 80), () => 1);
  t.true((await collect(open(small.read))).equals(object.subarray(0, 80)));
  t.is(small.requests.length, 80);
  const large = readerOf(() => object, () => 1);
  await t.throwsAsync(collect(open(large.read)), { instanceOf: InputError, message: `${URL}: the body ended after 1 of its 200 bytes (connection failed (ECONNRESET: aborted)), at byte 101; gave up after 100 retries` });
  t.is(large.requests.length, 101);
});

test('failures in a row without a byte: `retries` retries, then an error naming the byte', async (t) => {
  const { read, requests } = readerOf(() => object, (n) => (n === 1 ? 100 : 0));
  await t.throwsAsync(collect(open(read, { retries: 3 })), { message: `${URL}: the body ended after 0 of its 200 bytes (connection failed (ECONNRESET: aborted)), at byte 100; gave up after 3 retries` });
  t.is(requests.length, 4);
  let calls = 0;
  const refused: RangeReader = async () => {
    calls += 1;
    throw new TransientError('HTTP 503 Service Unavailable');
  };
  await t.throwsAsync(collect(open(refused, { retries: 0 })), { message: `${URL}: HTTP 503 Service Unavailable, at byte 0; gave up after 0 retries` });
  t.is(calls, 1);
});

test('an object that changes between two requests is an error, by its validator or its size', async (t) => {
  let version = '"v1"';
  const byValidator = readerOf(() => object, (n) => (n === 1 ? 50 : undefined), () => {
    const now = version;
    version = '"v2"';
    return now;
  });
  await t.throwsAsync(collect(open(byValidator.read)), { message: `${URL}: changed while it was read (version "v1", then "v2"); read it again` });
  let data = object;
  const bySize = readerOf(() => data, (n) => {
    if (n === 1) data = object.subarray(0, 200);
    return n === 1 ? 50 : undefined;
  });
  await t.throwsAsync(collect(open(bySize.read)), { message: `${URL}: changed while it was read (300 bytes, then 200); read it again` });
});

test('errors that will not pass are not retried', async (t) => {
  let calls = 0;
  const forbidden: RangeReader = async () => {
    calls += 1;
    throw new InputError(URL, 'HTTP 403 Forbidden');
  };
  await t.throwsAsync(collect(open(forbidden)), { message: `${URL}: HTTP 403 Forbidden` });
  t.is(calls, 1);
});

test('a body shorter than its Content-Length that ends cleanly is resumed', async (t) => {
  let calls = 0;
  const short: RangeReader = async (request) => {
    calls += 1;
    const bytes = object.subarray(request.start, calls === 1 ? 120 : undefined);
    return { body: Readable.from([bytes]), length: object.length - request.start, size: object.length, validator: '"v1"' };
  };
  t.true((await collect(open(short))).equals(object));
  t.is(calls, 2);
});

test('destroying the stream aborts the request it waits for, and asks for nothing more', async (t) => {
  const signals: AbortSignal[] = [];
  const hanging: RangeReader = (request) => {
    signals.push(request.signal);
    return new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
  };
  const stream = open(hanging);
  stream.resume();
  await new Promise((resolve) => setTimeout(resolve, 20));
  stream.destroy();
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.is(signals.length, 1);
  t.true(signals[0].aborted);
});

test('a server that sends past the end asked for gives nothing beyond it', async (t) => {
  const generous: RangeReader = async (request) => ({ body: Readable.from([object.subarray(request.start)]), length: object.length - request.start, size: object.length, validator: '"v1"' });
  t.true((await collect(open(generous, { start: 4, end: 16 }))).equals(object.subarray(4, 16)));
});
