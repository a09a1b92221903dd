/**
 * README blocks that show a shipped example file (examples/…): the prose just above the block ends
 * by naming the file (`examples/slurm/evaluate.sbatch`:), the block must be that file as it is, and
 * a test under test/ must name the file, since that test is what runs it (a Slurm cluster, a
 * Kubernetes Job) where the README harness cannot.
 */
import type { ExecutionContext } from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './data-dir.js';

/** The examples/ file that `before` (a block's prose) ends by naming, or undefined. */
export function shownExample(before: string): string | undefined {
  return /`(examples\/[\w./-]+)`[^`]*:$/.exec(before.trim())?.[1];
}

/** The test files under test/ whose text names `path`. */
function testsNaming(path: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.ts') && !full.endsWith(join('readme', 'readme.test.ts')) && readFileSync(full, 'utf8').includes(path)) found.push(relative(ROOT, full));
    }
  };
  walk(join(ROOT, 'test'));
  return found;
}

/** A test that the block's text is `path` (trailing newline aside) and that a test runs the file. */
export function exampleFileTest(path: string, text: string): [string, (t: ExecutionContext) => void] {
  return [`shows ${path} as it is, and a test runs that file`, (t) => {
    const file = join(ROOT, path);
    if (!existsSync(file)) return t.fail(`${path}, which the README shows, does not exist`);
    t.is(text.replace(/\n$/, ''), readFileSync(file, 'utf8').replace(/\n$/, ''), `the README's block is not ${path} as it is: copy the file into the block`);
    const runners = testsNaming(path);
    t.true(runners.length > 0, `no test under test/ names ${path}, so nothing runs it`);
    t.log(`${path} is named by ${runners.join(', ')}`);
  }];
}
