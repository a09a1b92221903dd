/** Puts a table between the `<!-- NAME:start -->` and `<!-- NAME:end -->` markers of bench/README.md, if it has them. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './measure.js';

export function updateReadmeSection(name: string, table: string, date: string, command: string): void {
  const path = join(ROOT, 'bench/README.md');
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return;
  writeFileSync(path, `${text.slice(0, i + start.length)}\nLatest run: ${date} (\`${command}\`).\n\n${table}\n${text.slice(j)}`);
}
