import test from 'ava';
import { PassThrough, type Readable } from 'node:stream';
import { InputError } from '../../src/errors.js';
import { peekHead } from '../../src/sources/peek-head.js';
import { gzip } from '../helpers/idx-fixtures.js';

/** A stream that is handed `chunks` one per tick, then ends (or fails with `error`). */
function trickle(chunks: readonly Uint8Array[], error?: Error): PassThrough {
  const stream = new PassThrough();
  void (async () => {
    for (const chunk of chunks) {
      await new Promise((resolve) => setImmediate(resolve));
      stream.write(chunk);
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (error === undefined) stream.end();
    else stream.destroy(error);
  })();
  return stream;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Accepts the head once it holds `n` bytes, and returns them as text. */
const firstBytes = (n: number) => (head: Uint8Array): string | undefined => (head.length >= n ? Buffer.from(head.subarray(0, n)).toString() : undefined);

test('reads chunk by chunk until the head parses, then puts every byte back', async (t) => {
  const stream = trickle([Buffer.from('ab'), Buffer.from('cd'), Buffer.from('ef')]);
  t.is(await peekHead('x', stream, firstBytes(3)), 'abc');
  t.is((await readAll(stream)).toString(), 'abcdef');
});

test('gzip: parses the inflated head, and puts back the compressed bytes', async (t) => {
  const gz = gzip(Buffer.from('hello, world'));
  const stream = trickle([gz.subarray(0, 12), gz.subarray(12)]);
  t.is(await peekHead('x.gz', stream, firstBytes(5)), 'hello');
  t.deepEqual(await readAll(stream), gz);
});

test('parse sees whether the stream ended', async (t) => {
  const stream = trickle([Buffer.from('ab')]);
  t.is(await peekHead('x', stream, (head, ended) => (ended ? `${head.length} bytes, ended` : undefined)), '2 bytes, ended');
});

test('a stream that ends before the head parses, or holds nothing', async (t) => {
  const short = await t.throwsAsync(peekHead('x', trickle([Buffer.from('ab')]), firstBytes(3)), { instanceOf: InputError });
  t.is(short.message, 'x: ends after 2 bytes, before its header is complete');
  const empty = await t.throwsAsync(peekHead('x', trickle([]), firstBytes(3)), { instanceOf: InputError });
  t.is(empty.message, 'x: empty file');
});

test('errors: parse\'s own, a stream error, corrupted gzip', async (t) => {
  const refused = new InputError('x', 'not an IDX file');
  t.is(await t.throwsAsync(peekHead('x', trickle([Buffer.from('ab')]), () => { throw refused; })), refused);
  const denied = Object.assign(new Error('EACCES: permission denied, read'), { code: 'EACCES', syscall: 'read' });
  t.is((await t.throwsAsync(peekHead('x', trickle([Buffer.from('a')], denied), firstBytes(3)))).message, 'x: permission denied');
  const bad = Buffer.concat([gzip(Buffer.from('abc')).subarray(0, 2), Buffer.of(7), Buffer.alloc(20)]);
  t.is((await t.throwsAsync(peekHead('x.gz', trickle([bad]), firstBytes(3)))).message, 'x.gz: corrupted gzip data (unknown compression method)');
});
