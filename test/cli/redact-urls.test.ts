/**
 * A URL's credentials (a password or token in its user part, a presigned URL's signature) never
 * reach a message, a log line or the report: `redactUrls` (src/errors.ts), applied by every
 * error's one-line message, the CLI's log and the report's inputs.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, redactUrls } from '../../src/errors.js';
import { mnistEval } from '../helpers/cli.js';
import { IMAGES_GZ, LABELS_GZ, needsData } from '../helpers/data-dir.js';
import { startRangeServer, type RangeServer } from '../helpers/range-server.js';

needsData(test);

test('a password, a token as the user, and credential parameters are hidden; everything else is kept as written', (t) => {
  const cases: [string, string][] = [
    ['https://user:pa%3Ass@host.example/x.gz?a=1', 'https://user:***@host.example/x.gz?a=1'],
    ['https://ghp_TOKEN@github.com/o/r', 'https://***@github.com/o/r'],
    ['s3://bucket/key.gz', 's3://bucket/key.gz'],
    [
      'https://b.s3.amazonaws.com/k.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261201&X-Amz-Security-Token=IQo&X-Amz-Signature=abc123&X-Amz-Expires=60#part',
      'https://b.s3.amazonaws.com/k.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Security-Token=***&X-Amz-Signature=***&X-Amz-Expires=60#part',
    ],
    ['https://a.blob.core.windows.net/c/x.gz?sv=2024&se=2026&sp=r&sig=Zm9v%3D', 'https://a.blob.core.windows.net/c/x.gz?sv=2024&se=2026&sp=r&sig=***'],
    ['see https://h/x?token=abc&API_KEY=zz and http://u:p@h2/y, then done', 'see https://h/x?token=***&API_KEY=*** and http://u:***@h2/y, then done'],
    ['HTTP://U:P@H/X', 'HTTP://U:***@H/X'],
    ['https://h/x?%74oken=abc&bad=%zz', 'https://h/x?%74oken=***&bad=%zz'],
    ['https://h/a@b/c?q', 'https://h/a@b/c?q'],
    ['/local/path:with@at?token=x', '/local/path:with@at?token=x'],
    ['https://u:p@h/x?token=abc: HTTP 404 Not Found', 'https://u:***@h/x?token=***: HTTP 404 Not Found'],
    ['(https://h/x?sig=abc).', '(https://h/x?sig=***).'],
    ['no url here', 'no url here'],
  ];
  for (const [text, shown] of cases) t.is(redactUrls(text), shown, text);
});

test('an InputError about a URL names it without its credentials, in its file part and in its problem', (t) => {
  const error = new InputError('https://u:secret@h/x.gz?X-Amz-Signature=s3cr3t', 'redirected to http://v:pw@elsewhere/y');
  t.is(error.message, 'https://u:***@h/x.gz?X-Amz-Signature=***: redirected to http://v:***@elsewhere/y');
  t.false(error.message.includes('secret') || error.message.includes('s3cr3t') || error.message.includes('pw'));
});

let server: RangeServer;
const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-redact-'));
test.before(async () => {
  server = await startRangeServer({ 'images.gz': readFileSync(IMAGES_GZ), 'labels.gz': readFileSync(LABELS_GZ) });
});
test.after.always(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `name` on the test server, with a password and a presigned URL's signature in it. */
const secretUrl = (name: string): string => server.url(name).replace('://', '://reader:hunter2@') + '?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=deadbeef';
const shown = (name: string): string => server.url(name).replace('://', '://reader:***@') + '?X-Amz-Credential=***&X-Amz-Signature=***';

test('a run over URLs with credentials: the log lines and the report name the URLs without them', async (t) => {
  const cwd = mkdtempSync(join(dir, 'run-'));
  const { code, stderr } = await mnistEval(['--no-mosaic', '--report', 'r.json', '--images', secretUrl('images.gz'), '--labels', secretUrl('labels.gz')], { cwd });
  t.is(code, 0, stderr);
  const report = JSON.parse(readFileSync(join(cwd, 'r.json'), 'utf8')) as { inputs: { images: string; labels: string } };
  t.deepEqual([report.inputs.images, report.inputs.labels], [shown('images.gz'), shown('labels.gz')]);
  t.true(stderr.includes(shown('images.gz')), stderr);
  for (const secret of ['hunter2', 'deadbeef', 'AKIAEXAMPLE']) {
    t.false(stderr.includes(secret), stderr);
    t.false(readFileSync(join(cwd, 'r.json'), 'utf8').includes(secret));
  }
});

test('a failing URL with credentials: one line naming it without them, exit 1', async (t) => {
  const cwd = mkdtempSync(join(dir, 'run-'));
  const { code, stderr } = await mnistEval(['--quiet', '--no-mosaic', '--images', secretUrl('missing.gz'), '--labels', secretUrl('labels.gz')], { cwd });
  t.is(code, 1);
  t.is(stderr, `mnist-eval: ${shown('missing.gz')}: HTTP 404 Not Found\n`);
});
