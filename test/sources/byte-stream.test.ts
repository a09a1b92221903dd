import test from 'ava';
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { InputError } from '../../src/errors.js';
import { ByteStream, type Chain } from '../../src/sources/byte-stream.js';
import { openByteStream } from '../../src/sources/open.js';
import { withData } from '../helpers/data-dir.js';
import { REAL_IMAGES_GZ, REAL_IMAGES_RAW, eventually, fdsOpenOn, removeTempDirs, tempDir, writeFixture } from '../helpers/idx-fixtures.js';
import { failureOf, readAll } from './read-bytes.js';

test.after.always(removeTempDirs);

/** A chain of two pass-throughs that `write` feeds. */
function passChain(): Chain & { readonly first: PassThrough; readonly last: PassThrough } {
  const first = new PassThrough();
  const last = new PassThrough();
  return { streams: [first, last], compressed: 'gzip data', first, last };
}

test('the chain opens on the next tick, and the stream reads its last stream', async (t) => {
  const chain = passChain();
  let opened = false;
  const stream = new ByteStream('x.gz', 1024, async () => {
    opened = true;
    return chain;
  });
  t.false(opened, 'not on the caller\'s stack');
  chain.first.end(Buffer.from('abc'));
  t.is((await readAll(stream)).toString(), 'abc');
  t.true(opened);
});

test('errors of the chain, or of opening it, name the path', async (t) => {
  const chain = passChain();
  const failing = new ByteStream('x.gz', 1024, async () => chain);
  chain.first.write(Buffer.from('a'));
  setImmediate(() => chain.last.destroy(Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' })));
  const error = await t.throwsAsync(readAll(failing), { instanceOf: InputError });
  t.is(error.message, 'x.gz: truncated gzip data (unexpected end of file)');
  const missing = new ByteStream('x.idx', 1024, async () => {
    throw Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT', syscall: 'open' });
  });
  t.is((await t.throwsAsync(readAll(missing), { instanceOf: InputError })).message, 'x.idx: no such file');
});

test('destroying the stream while the chain opens destroys the chain once it is open', async (t) => {
  const chain = passChain();
  const source = new PassThrough();
  let open: (chain: Chain) => void = () => {};
  const stream = new ByteStream('-', 1024, () => new Promise((resolve) => (open = resolve)));
  await new Promise((resolve) => setImmediate(resolve));
  stream.destroy();
  open({ ...chain, source });
  t.true(await eventually(() => chain.first.destroyed && chain.last.destroyed && source.destroyed));
});

test('destroying the stream closes the file', async (t) => {
  const dir = await tempDir();
  const path = await writeFixture(dir, 'big.idx', await readFile(REAL_IMAGES_RAW));
  const stream = openByteStream(path, { highWaterMark: 64 * 1024 });
  const chunks = stream[Symbol.asyncIterator]();
  await chunks.next();
  t.is(fdsOpenOn(path).length, 1, 'open while reading');
  stream.destroy();
  t.true(await eventually(() => fdsOpenOn(path).length === 0), 'closed after destroy');
});

test('an error closes the file', withData(async (t) => {
  const dir = await tempDir();
  const real = await readFile(REAL_IMAGES_GZ);
  const path = await writeFixture(dir, 'cut.gz', real.subarray(0, real.length >> 1));
  await failureOf(path, { highWaterMark: 16 * 1024 });
  t.true(await eventually(() => fdsOpenOn(path).length === 0));
}));
