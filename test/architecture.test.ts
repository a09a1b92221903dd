/**
 * The shape of the source tree that ARCHITECTURE.md promises (the import rules themselves are
 * checked by dependency-cruiser before the tests: `npm run check:imports`).
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_LINES = 300;
const FOLDERS = ['src', 'pipelines', 'scripts', 'bin'];

const sources = FOLDERS.flatMap((folder) =>
  readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|mjs|js)$/.test(file))
    .map((file) => join(folder, file)),
);

test(`no source file is over ${MAX_LINES} lines: one file, one job`, (t) => {
  const long = sources
    .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > MAX_LINES)
    .map(({ file, lines }) => `${file}: ${lines} lines`);
  t.deepEqual(long, []);
});

test('every stage folder of ARCHITECTURE.md exists and is named there', (t) => {
  const architecture = readFileSync('ARCHITECTURE.md', 'utf8');
  const folders = readdirSync('src', { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => `src/${entry.name}/`);
  t.deepEqual(folders.filter((folder) => !architecture.includes(folder)), [], 'folders the codemap does not describe');
});
