/**
 * The command line in this process: `main()` of src/cli/main.ts with its streams captured, for
 * tests that need what a child's argv cannot carry (a 10 MB path) or many quick runs.
 */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

/** Runs `mnist-eval ...argv` in this process: its exit code and what it wrote on each stream. */
export async function runMain(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (text: string) => void) => new Writable({ write(chunk, _encoding, done) { add(String(chunk)); done(); } });
  const code = await main(argv, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}
