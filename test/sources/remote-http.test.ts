/**
 * --images and --labels as http:// URLs, served by a local server (test/helpers/range-server.ts)
 * from the test set: a run equal to the file run, a shard read by Range with no byte before it,
 * dropped connections resumed, and every failure (404, 403, a body always cut, a truncated or
 * corrupted object, an object that changes, redirects, TLS, DNS) one line naming the URL.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { lastValueFrom, toArray } from 'rxjs';
import { readBatches$, readIdxHeaderOf } from '../../src/sources/mnist.js';
import { mnistEval } from '../helpers/cli.js';
import { IMAGES_GZ, LABELS_GZ, needsData } from '../helpers/data-dir.js';
import { startRangeServer, type RangeServer, type Served } from '../helpers/range-server.js';

needsData(test);

const imagesGz = readFileSync(IMAGES_GZ);
const labelsGz = readFileSync(LABELS_GZ);
const imagesRaw = gunzipSync(imagesGz);
const labelsRaw = gunzipSync(labelsGz);

let server: RangeServer;
test.before(async () => {
  server = await startRangeServer({
    'images.gz': imagesGz, 'labels.gz': labelsGz, 'images': imagesRaw, 'labels': labelsRaw,
    'cut.gz': imagesGz.subarray(0, 800_000),
    'flipped.gz': Buffer.concat([imagesGz.subarray(0, imagesGz.length - 6), Buffer.from([imagesGz[imagesGz.length - 6] ^ 1]), imagesGz.subarray(imagesGz.length - 5)]),
    'short-raw': imagesRaw.subarray(0, 16 + 784 * 9999 + 100),
  });
});
test.after.always(() => server?.close());

/** Every byte `served` wrote of `path`, as [first, end) intervals. */
const spans = (path: string): Array<[number, number]> => server.served.filter((s: Served) => s.path === path).map((s) => [s.first, s.first + s.sent]);

async function batchesOf(images: string, labels: string) {
  const batches = await lastValueFrom(readBatches$(images, labels, 1000).pipe(toArray()));
  return { pixels: Buffer.concat(batches.map((b) => b.pixels)), labels: Buffer.concat(batches.map((b) => b.labels)) };
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-remote-'));
  const result = await mnistEval(['--quiet', '--report', 'r.json', '--predictions', 'p.csv', '--no-mosaic', ...args], { cwd, env });
  const read = (name: string) => (existsSync(join(cwd, name)) ? readFile(join(cwd, name), 'utf8') : Promise.resolve(undefined));
  return { ...result, cwd, report: await read('r.json').then((text) => (text === undefined ? undefined : JSON.parse(text))), predictions: await read('p.csv') };
}

/** The parts of a report that are about the images, not where they came from or how long it took. */
const counts = (report: Record<string, unknown>) => ({ total: report.total, correct: report.correct, accuracy: report.accuracy, confusion: report.confusion, perClass: report.perClass, errors: report.errors, range: report.range });

test.serial('a run from http:// gzip objects gives the file run\'s predictions and counts, exactly', async (t) => {
  const fromFiles = await run(['--images', IMAGES_GZ, '--labels', LABELS_GZ]);
  const fromUrls = await run(['--images', server.url('images.gz'), '--labels', server.url('labels.gz')]);
  t.is(fromUrls.code, 0, fromUrls.stderr);
  t.is(fromUrls.predictions, fromFiles.predictions);
  t.is(fromUrls.predictions!.split('\n').length, 10_002);
  t.deepEqual(counts(fromUrls.report), counts(fromFiles.report));
  t.is(fromUrls.report.total, 10_000);
});

test.serial('a shard of raw objects is read by Range: the header, then its own records, no byte before or after them', async (t) => {
  server.served.length = 0;
  const fromFiles = await run(['--images', IMAGES_GZ, '--labels', LABELS_GZ, '--shard', '1/4']);
  const fromUrls = await run(['--images', server.url('images'), '--labels', server.url('labels'), '--shard', '1/4']);
  t.is(fromUrls.code, 0, fromUrls.stderr);
  t.is(fromUrls.predictions, fromFiles.predictions);
  t.deepEqual(counts(fromUrls.report), counts(fromFiles.report));
  t.deepEqual(fromUrls.report.range, fromFiles.report.range);
  for (const [path, headerSize, recordSize] of [['images', 16, 784], ['labels', 8, 1]] as const) {
    const shardStart = headerSize + 2500 * recordSize;
    const before = spans(path).filter(([first, end]) => end > headerSize && first < shardStart && end > first);
    t.deepEqual(before, [], `${path}: bytes between the header and the shard were sent`);
    t.true(spans(path).some(([first, end]) => first === shardStart && end >= headerSize + 5000 * recordSize), `${path}: the shard's records were read from their first byte`);
    const shardEnd = headerSize + 5000 * recordSize;
    t.deepEqual(spans(path).filter(([first, end]) => end > shardEnd && end > first), [], `${path}: bytes after the shard were sent`);
    t.true(server.served.some((s) => s.path === path && s.range === `bytes=${shardStart}-${shardEnd - 1}`));
  }
});

test.serial('dropped connections are resumed by Range from the byte they reached: the same bytes as the files', async (t) => {
  server.served.length = 0;
  server.faults.set('images.gz', { dropAt: 700_000, times: 2 });
  server.faults.set('labels', { dropAt: 5_000, times: 1 });
  try {
    const remote = await batchesOf(server.url('images.gz'), server.url('labels'));
    const local = await batchesOf(IMAGES_GZ, LABELS_GZ);
    t.true(remote.pixels.equals(local.pixels));
    t.true(remote.labels.equals(local.labels));
    t.true(server.served.some((s) => s.path === 'images.gz' && s.range === 'bytes=700000-' && s.first + s.sent === imagesGz.length));
    t.true(server.served.some((s) => s.path === 'labels' && s.range === 'bytes=5000-'));
  } finally {
    server.faults.clear();
  }
});

test.serial('404 and 403 are one-line errors naming the URL and the status, exit 1, nothing written', async (t) => {
  server.faults.set('forbidden.gz', { status: 403 });
  try {
    for (const [name, status] of [['missing.gz', 'HTTP 404 Not Found'], ['forbidden.gz', 'HTTP 403 Forbidden']]) {
      const result = await run(['--images', server.url(name), '--labels', server.url('labels.gz')]);
      t.is(result.code, 1);
      t.is(result.stderr, `mnist-eval: ${server.url(name)}: ${status}\n`);
      t.is(result.report, undefined);
      t.is(result.predictions, undefined);
    }
    const labels = await run(['--images', server.url('images.gz'), '--labels', server.url('nolabels.gz')]);
    t.is(labels.stderr, `mnist-eval: ${server.url('nolabels.gz')}: HTTP 404 Not Found\n`);
  } finally {
    server.faults.clear();
  }
});

test.serial('a body always cut short is retried from where it stopped, then an error with the byte and the retries', async (t) => {
  server.faults.set('images.gz', { cutAt: 1_000_000 });
  try {
    const result = await run(['--images', server.url('images.gz'), '--labels', server.url('labels.gz')]);
    t.is(result.code, 1);
    t.is(result.stderr, `mnist-eval: ${server.url('images.gz')}: the body ended after 0 of its ${imagesGz.length - 1_000_000} bytes (connection failed (ECONNRESET: aborted)), at byte 1000000; gave up after 5 retries\n`);
    t.is(result.report, undefined);
  } finally {
    server.faults.clear();
  }
});

test('a truncated gzip object, a corrupted CRC and a short raw object are caught as for files', async (t) => {
  await t.throwsAsync(batchesOf(server.url('cut.gz'), server.url('labels.gz')), { message: `${server.url('cut.gz')}: truncated gzip data (unexpected end of file)` });
  await t.throwsAsync(batchesOf(server.url('flipped.gz'), server.url('labels.gz')), { message: `${server.url('flipped.gz')}: corrupted gzip data (incorrect data check)` });
  await t.throwsAsync(batchesOf(server.url('short-raw'), server.url('labels')), { message: `${server.url('short-raw')}: truncated: header declares 10000 images, data ends after 9999 and 100 of the 784 bytes of the next` });
});

test.serial('an object that changes between two requests is an error, never a splice of two versions', async (t) => {
  const changed = Buffer.from(imagesGz);
  changed[900_000] ^= 0xff;
  server.faults.set('changing.gz', { dropAt: 700_000, times: 1, onDrop: () => server.files.set('changing.gz', changed) });
  server.files.set('changing.gz', imagesGz);
  try {
    const error = await t.throwsAsync(batchesOf(server.url('changing.gz'), server.url('labels.gz')));
    t.regex(error!.message, /^http:\/\/127\.0\.0\.1:\d+\/changing\.gz: changed while it was read \(version "[0-9a-f]{16}", then "[0-9a-f]{16}"\); read it again$/);
  } finally {
    server.faults.clear();
  }
});

test.serial('redirects are followed, at most 5', async (t) => {
  server.faults.set('moved.gz', { redirectTo: '/images.gz' });
  for (let i = 0; i < 6; i++) server.faults.set(`loop${i}`, { redirectTo: `/loop${i + 1}` });
  try {
    t.deepEqual((await readIdxHeaderOf(server.url('moved.gz'), 'images')).dims, [10_000, 28, 28]);
    await t.throwsAsync(readIdxHeaderOf(server.url('loop0'), 'images'), { message: `${server.url('loop0')}: more than 5 redirects (the last to /loop6)` });
  } finally {
    server.faults.clear();
  }
});

test.serial('a 503 is retried; a server that ignores Range serves a shard whole, and cannot resume', async (t) => {
  server.faults.set('images.gz', { status: 503, times: 2 });
  try {
    t.deepEqual((await readIdxHeaderOf(server.url('images.gz'), 'images')).dims, [10_000, 28, 28]);
    server.faults.set('images', { ignoreRange: true });
    const fromFiles = await run(['--images', IMAGES_GZ, '--labels', LABELS_GZ, '--shard', '1/2']);
    const whole = await run(['--images', server.url('images'), '--labels', server.url('labels'), '--shard', '1/2']);
    t.is(whole.code, 0, whole.stderr);
    t.is(whole.predictions, fromFiles.predictions);
    server.faults.set('images', { ignoreRange: true, dropAt: 100_000, times: 10 });
    const dropped = await run(['--images', server.url('images'), '--labels', server.url('labels')]);
    t.is(dropped.code, 1);
    t.is(dropped.stderr, `mnist-eval: ${server.url('images')}: the server ignores Range requests (HTTP 200 to bytes=100000-), which a resumed read and a shard need\n`);
  } finally {
    server.faults.clear();
  }
});

test('TLS and DNS failures are named', async (t) => {
  const tls = server.origin.replace('http:', 'https:') + '/images.gz';
  const error = await t.throwsAsync(readIdxHeaderOf(tls, 'images'));
  t.regex(error!.message, /^https:\/\/127\.0\.0\.1:\d+\/images\.gz: TLS error \((EPROTO|ERR_SSL_WRONG_VERSION_NUMBER): .+\)$/);
  const dns = await t.throwsAsync(readIdxHeaderOf('http://no-such-host.invalid/images.gz', 'images'));
  t.regex(dns!.message, /^http:\/\/no-such-host\.invalid\/images\.gz: cannot resolve host no-such-host\.invalid \(DNS (ENOTFOUND|EAI_AGAIN)\)/);
});

test('a refused connection is retried 5 times, then one line naming the cause', async (t) => {
  const refused = 'http://127.0.0.1:1/images.gz';
  await t.throwsAsync(readIdxHeaderOf(refused, 'images'), { message: `${refused}: connection failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1), at byte 0; gave up after 5 retries` });
});

test.serial('Ctrl-C while a server holds the body silent: exit 130 at once, one line, nothing written', async (t) => {
  server.faults.set('images.gz', { stallAt: 500_000 });
  try {
    const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-remote-'));
    const result = await mnistEval(['--images', server.url('images.gz'), '--labels', server.url('labels.gz'), '--report', 'r.json'], { cwd, kill: { signal: 'SIGINT', when: 'handled', delayMs: 1000 } });
    t.is(result.code, 130, result.stderr);
    t.deepEqual(result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('evaluating ')), ['mnist-eval: interrupted; no output written']);
    t.true(result.exitedAfterMs! < 5000, `exited ${result.exitedAfterMs} ms after the signal`);
    t.deepEqual(await readdir(cwd, { recursive: true }), []);
  } finally {
    server.faults.clear();
  }
});

test('a URL that does not parse, and an s3:// URL without a key, are named', async (t) => {
  for (const url of ['https://', 'http://[::1', 'https://a b/c']) await t.throwsAsync(readIdxHeaderOf(url, 'images'), { message: `${url}: not a valid URL` });
  for (const url of ['s3://bucket', 's3://bucket/']) await t.throwsAsync(readIdxHeaderOf(url, 'images'), { message: `${url}: expected s3://bucket/key` });
});

test('outputs never go to URLs, and the labels of a URL must be given', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-remote-'));
  const report = { ...(await mnistEval(['--images', server.url('images.gz'), '--labels', server.url('labels.gz'), '--report', 'http://127.0.0.1:1/r.json'], { cwd })), cwd };
  t.is(report.code, 1);
  t.is(report.stderr, 'mnist-eval: http://127.0.0.1:1/r.json: given as --report is a URL: outputs are written to files only\n');
  t.false(existsSync(join(report.cwd, 'http:')));
  const alone = await run(['--images', server.url('images.gz')]);
  t.is(alone.code, 2);
  t.true(alone.stderr.startsWith(`mnist-eval: --images ${server.url('images.gz')} needs --labels: the labels are not looked for beside a URL, give --labels URL\n`), alone.stderr);
});
