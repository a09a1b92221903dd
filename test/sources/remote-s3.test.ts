/**
 * --images and --labels as s3:// objects, served by s3rver on 127.0.0.1 behind a recording proxy
 * (test/helpers/s3-server.ts), reached through AWS_ENDPOINT_URL_S3 as a user would: a run equal
 * to the file run, a shard by Range with no byte before it, a dropped connection resumed, and a
 * missing key and an unknown access key as one-line errors.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { lastValueFrom, toArray } from 'rxjs';
import { readBatches$ } from '../../src/sources/mnist.js';
import { mnistEval } from '../helpers/cli.js';
import { IMAGES_GZ, LABELS_GZ, needsData } from '../helpers/data-dir.js';
import { BUCKET, startS3Server, type S3Server } from '../helpers/s3-server.js';

needsData(test);

const imagesGz = readFileSync(IMAGES_GZ);
const s3 = (key: string) => `s3://${BUCKET}/${key}`;

let server: S3Server;
test.before(async () => {
  server = await startS3Server({
    'test/images.gz': imagesGz, 'test/labels.gz': readFileSync(LABELS_GZ),
    'raw/images': gunzipSync(imagesGz), 'raw/labels': gunzipSync(readFileSync(LABELS_GZ)),
  });
  // The library reads the endpoint and credentials from the environment, as the CLI does.
  Object.assign(process.env, server.env);
});
test.after.always(() => server?.close());

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cwd = await mkdtemp(join(tmpdir(), 'mnist-eval-s3-'));
  const result = await mnistEval(['--quiet', '--report', 'r.json', '--predictions', 'p.csv', '--no-mosaic', ...args], { cwd, env: { ...server.env, ...env } });
  const read = (name: string) => (existsSync(join(cwd, name)) ? readFile(join(cwd, name), 'utf8') : Promise.resolve(undefined));
  return { ...result, report: await read('r.json').then((text) => (text === undefined ? undefined : JSON.parse(text))), predictions: await read('p.csv') };
}

const counts = (report: Record<string, unknown>) => ({ total: report.total, correct: report.correct, accuracy: report.accuracy, confusion: report.confusion, perClass: report.perClass, errors: report.errors, range: report.range });

test.serial('a run from s3:// gzip objects gives the file run\'s predictions and counts, exactly', async (t) => {
  const fromFiles = await run(['--images', IMAGES_GZ, '--labels', LABELS_GZ]);
  const fromS3 = await run(['--images', s3('test/images.gz'), '--labels', s3('test/labels.gz')]);
  t.is(fromS3.code, 0, fromS3.stderr);
  t.is(fromS3.predictions, fromFiles.predictions);
  t.is(fromS3.report.total, 10_000);
  t.deepEqual(counts(fromS3.report), counts(fromFiles.report));
});

test.serial('a shard of raw objects is fetched by Range: the header, then the shard, no byte before it', async (t) => {
  server.proxy.served.length = 0;
  const fromFiles = await run(['--images', IMAGES_GZ, '--labels', LABELS_GZ, '--shard', '2/3']);
  const fromS3 = await run(['--images', s3('raw/images'), '--labels', s3('raw/labels'), '--shard', '2/3']);
  t.is(fromS3.code, 0, fromS3.stderr);
  t.is(fromS3.predictions, fromFiles.predictions);
  t.deepEqual(counts(fromS3.report), counts(fromFiles.report));
  for (const [key, headerSize, recordSize] of [['raw/images', 16, 784], ['raw/labels', 8, 1]] as const) {
    const shardStart = headerSize + 6666 * recordSize;
    const served = server.proxy.served.filter((s) => s.path === `${BUCKET}/${key}`);
    t.true(served.length >= 3, `${key}: ${served.length} GETs`);
    t.deepEqual(served.filter((s) => s.sent > 0 && s.first + s.sent > headerSize && s.first < shardStart), [], `${key}: bytes before the shard were sent`);
    // The last shard runs to the end of the object, which is read to its end (trailing bytes are checked).
    t.true(served.some((s) => s.range === `bytes=${shardStart}-`), `${key}: the shard was asked for from its first record to the end`);
  }
});

test.serial('a connection dropped mid-body is resumed by Range: the same bytes as the files', async (t) => {
  server.proxy.served.length = 0;
  server.proxy.faults.set(`${BUCKET}/test/images.gz`, { dropAt: 600_000, times: 1 });
  try {
    const read = async (images: string, labels: string) => Buffer.concat((await lastValueFrom(readBatches$(images, labels, 1000).pipe(toArray()))).map((b) => b.pixels));
    const remote = await read(s3('test/images.gz'), s3('test/labels.gz'));
    t.true(remote.equals(await read(IMAGES_GZ, LABELS_GZ)));
    t.true(server.proxy.served.some((s) => s.path === `${BUCKET}/test/images.gz` && s.range === 'bytes=600000-'));
  } finally {
    server.proxy.faults.clear();
  }
});

test.serial('a missing key (404) and an unknown access key (403) are one-line errors naming the object, exit 1', async (t) => {
  const missing = await run(['--images', s3('test/missing.gz'), '--labels', s3('test/labels.gz')]);
  t.is(missing.code, 1);
  t.is(missing.stderr, `mnist-eval: ${s3('test/missing.gz')}: HTTP 404 Not Found (NoSuchKey)\n`);
  t.is(missing.report, undefined);
  // s3rver checks the key id of a V4 signature, not the signature itself.
  const refused = await run(['--images', s3('test/images.gz'), '--labels', s3('test/labels.gz')], { AWS_ACCESS_KEY_ID: 'NOT-A-KEY' });
  t.is(refused.code, 1);
  t.is(refused.stderr, `mnist-eval: ${s3('test/images.gz')}: HTTP 403 Forbidden (InvalidAccessKeyId)\n`);
  t.is(refused.predictions, undefined);
});
