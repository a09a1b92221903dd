/**
 * The command line as a user runs it: `bin/mnist-eval.js` in a child process (the bundle, or the
 * TypeScript sources through tsx when the bundle is older than them), with the tests' data folder
 * as its MNIST_EVAL_DATA_DIR. The one place the tests spawn the CLI.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR, ROOT } from './data-dir.js';

export const BIN = join(ROOT, 'bin/mnist-eval.js');

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** The working folder (default: a folder of this test process under the OS temp dir, removed at exit). */
  readonly cwd?: string;
  /** Piped into standard input when given; else standard input is closed. */
  readonly stdin?: Uint8Array;
  /** Variables added to (or overriding) this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Sends SIGINT this many milliseconds after the CLI first writes `evaluating` on stderr. */
  readonly interruptAfterMs?: number;
}

let scratch: string | undefined;
function defaultCwd(): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-cli-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}

/** Runs `mnist-eval ...args` and resolves, once it has exited, to its exit code and output. */
export function mnistEval(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? defaultCwd(),
      env: { ...process.env, MNIST_EVAL_DATA_DIR: DATA_DIR, ...options.env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interruptAfterMs = options.interruptAfterMs;
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      if (interruptAfterMs !== undefined && stderr.includes('evaluating')) {
        setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
        interruptAfterMs = undefined;
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    if (options.stdin !== undefined) {
      child.stdin!.on('error', () => {}); // the CLI may exit before reading it all
      child.stdin!.end(options.stdin);
    }
  });
}
