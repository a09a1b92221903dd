import test from 'ava';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

test('--version prints the package version on stdout, exit 0', async (t) => {
  let out = '';
  let err = '';
  const stdout = new Writable({ write(chunk, _encoding, done) { out += chunk; done(); } });
  const stderr = new Writable({ write(chunk, _encoding, done) { err += chunk; done(); } });
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  t.is(await main(['--version'], { stdout, stderr }), 0);
  t.is(out, `mnist-eval ${version}\n`);
  t.is(err, '');
});
