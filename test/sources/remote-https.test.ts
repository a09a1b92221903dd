/**
 * https:// sources: a local TLS server with a certificate made for the test by openssl (installed
 * by .ci/run when missing), trusted through NODE_EXTRA_CA_CERTS as a private CA would be: a run
 * equal to the file run; without the trust, one line naming the TLS error.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistEval } from '../helpers/cli.js';
import { IMAGES_GZ, LABELS_GZ, needsData } from '../helpers/data-dir.js';
import { startRangeServer, type RangeServer } from '../helpers/range-server.js';

needsData(test);

const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-https-'));
const CERT = join(dir, 'cert.pem');
let server: RangeServer;
test.before(async () => {
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', CERT,
    '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  server = await startRangeServer({ 'images.gz': readFileSync(IMAGES_GZ), 'labels.gz': readFileSync(LABELS_GZ) }, { tls: { key: readFileSync(key), cert: readFileSync(CERT) } });
});
test.after.always(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cwd = mkdtempSync(join(dir, 'run-'));
  const result = await mnistEval(['--quiet', '--no-mosaic', '--predictions', 'p.csv', '--report', 'r.json', ...args], { cwd, env });
  return { ...result, predictions: existsSync(join(cwd, 'p.csv')) ? await readFile(join(cwd, 'p.csv'), 'utf8') : undefined };
}

test('a run over https:// with a trusted certificate gives the file run\'s predictions', async (t) => {
  const fromFiles = await run(['--images', IMAGES_GZ, '--labels', LABELS_GZ]);
  const fromHttps = await run(['--images', server.url('images.gz'), '--labels', server.url('labels.gz')], { NODE_EXTRA_CA_CERTS: CERT });
  t.is(fromHttps.code, 0, fromHttps.stderr);
  t.is(fromHttps.predictions, fromFiles.predictions);
  t.is(fromHttps.predictions!.split('\n').length, 10_002);
});

test('a certificate nobody trusts is one line naming the TLS error, exit 1, nothing written', async (t) => {
  const result = await run(['--images', server.url('images.gz'), '--labels', server.url('labels.gz')]);
  t.is(result.code, 1);
  // Node 24 adds a hint after the reason (`; if the root CA is installed locally, try … --use-system-ca`).
  t.true(result.stderr.startsWith(`mnist-eval: ${server.url('images.gz')}: TLS error (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate`), result.stderr);
  t.regex(result.stderr, /^[^\n]*\)\n$/);
  t.is(result.predictions, undefined);
});

test('a redirect from https to http is refused on one line, exit 1, nothing written; https to https is followed', async (t) => {
  const plain = await startRangeServer({ 'images.gz': readFileSync(IMAGES_GZ) });
  try {
    server.faults.set('downgrade.gz', { redirectTo: plain.url('images.gz') });
    server.faults.set('moved.gz', { redirectTo: '/images.gz' });
    const refused = await run(['--images', server.url('downgrade.gz'), '--labels', server.url('labels.gz')], { NODE_EXTRA_CA_CERTS: CERT });
    t.is(refused.code, 1);
    t.is(refused.stderr, `mnist-eval: ${server.url('downgrade.gz')}: redirected from https to http (${plain.url('images.gz')}): refused, the data would come unencrypted and unauthenticated\n`);
    t.is(refused.predictions, undefined);
    const moved = await run(['--images', server.url('moved.gz'), '--labels', server.url('labels.gz')], { NODE_EXTRA_CA_CERTS: CERT });
    t.is(moved.code, 0, moved.stderr);
  } finally {
    server.faults.delete('downgrade.gz');
    server.faults.delete('moved.gz');
    await plain.close();
  }
});
