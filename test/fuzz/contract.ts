/**
 * The CLI's contract on hostile input, checked on one in-process call of main(): exit 0, 1 or 2
 * (never a throw, never 'internal error'); on failure stderr is one line `mnist-eval: …` (and the
 * `(see mnist-eval … --help)` hint of a usage error); no file left in the output folder after a
 * failure, and no temporary file after a success.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({ write(chunk, _encoding, done) { text += chunk; done(); } });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

/** The outputs every fuzzed run asks for, all in `out`. */
export const outputArgs = (out: string): string[] =>
  ['--quiet', '--report', join(out, 'r.json'), '--mosaic', join(out, 'm.png'), '--predictions', join(out, 'p.csv')];

/** What a successful run may leave in its output folder. */
const OUTPUTS = new Set(['r.json', 'm.png', 'm.tiles.json', 'p.csv']);

export interface Outcome {
  readonly code: number;
  readonly stderr: string;
  readonly left: string[];
}

/** Runs main(argv), then lists `out` and empties it for the next run. */
export async function runCli(argv: readonly string[], out: string): Promise<Outcome> {
  await mkdir(out, { recursive: true });
  const stderr = capture();
  let code: number;
  try {
    code = await main(argv, { stdout: capture().stream, stderr: stderr.stream });
  } catch (error) {
    throw new Error(`main() threw instead of returning an exit code: ${(error as Error)?.stack ?? String(error)}`);
  }
  const left = (await readdir(out)).sort();
  await rm(out, { recursive: true, force: true });
  return { code, stderr: stderr.text(), left };
}

/** The first way `outcome` breaks the contract, in one sentence; undefined when it keeps it. */
export function breach({ code, stderr, left }: Outcome): string | undefined {
  const shown = JSON.stringify(stderr.length > 600 ? `${stderr.slice(0, 600)}…` : stderr);
  if (![0, 1, 2].includes(code)) return `exit ${code}, expected 0, 1 or 2; stderr ${shown}`;
  if (code === 0) {
    const stray = left.filter((name) => !OUTPUTS.has(name));
    return stray.length > 0 ? `exit 0 but the output folder holds ${stray.join(', ')}` : undefined;
  }
  if (stderr.includes('internal error')) return `an internal error (exit ${code}): ${shown}`;
  const lines = stderr.replace(/\n$/, '').split('\n');
  if (!lines[0].startsWith('mnist-eval: ')) return `exit ${code} and stderr does not start with 'mnist-eval: ': ${shown}`;
  const hint = code === 2 && lines.length === 2 && /^\(see mnist-eval (merge |generate )?--help\)$/.test(lines[1]);
  if (lines.length > 1 && !hint) return `exit ${code} with ${lines.length} lines on stderr: ${shown}`;
  if (!stderr.endsWith('\n')) return `exit ${code} and stderr does not end its line: ${shown}`;
  if (left.length > 0) return `exit ${code} but the output folder holds ${left.join(', ')}; stderr ${shown}`;
  return undefined;
}

/** Lines worth a look that the contract does not forbid: long (over 300 characters) or with control characters. */
export function remark({ code, stderr }: Outcome): string | undefined {
  if (code === 0) return undefined;
  const line = stderr.split('\n')[0];
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line)) return `control characters in: ${JSON.stringify(line.slice(0, 300))}`;
  if (line.length > 300) return `${line.length} characters: ${JSON.stringify(line.slice(0, 200))}…`;
  return undefined;
}
