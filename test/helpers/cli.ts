/**
 * The command line as a user runs it: `bin/mnist-eval.js` in a child process (the bundle, or the
 * TypeScript sources through tsx when the bundle is older than them), with the tests' data folder
 * as its MNIST_EVAL_DATA_DIR. The one place the tests spawn the CLI.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { constants } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR, ROOT } from './data-dir.js';

export const BIN = join(ROOT, 'bin/mnist-eval.js');

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** With `kill`: milliseconds from sending the signal to the child's exit; undefined when none was sent. */
  readonly exitedAfterMs?: number;
}

/**
 * A signal to send the CLI, `delayMs` after a trigger: `when` is a text it writes on stderr, or
 * `'handled'`, the moment it handles signals (a run is in progress: /proc/PID/status's SigCgt
 * has SIGHUP's bit, which only the CLI's handler sets, while tsx catches SIGINT and SIGTERM
 * itself); `after` resolves (a writer of a FIFO has written). With neither, `delayMs` after the start.
 */
export interface Kill {
  readonly signal: NodeJS.Signals;
  readonly when?: string | 'handled';
  /** A promise, or one made from the child's pid (`opens` waits for the child to open a path). */
  readonly after?: PromiseLike<unknown> | ((pid: number) => PromiseLike<unknown>);
  readonly delayMs?: number;
}

/** Resolves once process `pid` has `path` open (polls /proc/PID/fd, Linux), or after `timeoutMs`. */
export async function opens(pid: number, path: string, timeoutMs = 20_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => undefined);
    if (fds === undefined) return; // exited
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    if (targets.includes(path)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once process `pid` catches SIGHUP (polls /proc, Linux), or when it has exited. */
async function handlesSignals(pid: number, exited: () => boolean): Promise<void> {
  const bit = 1n << BigInt(constants.signals.SIGHUP - 1);
  while (!exited()) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (caught !== undefined && (BigInt(`0x${caught}`) & bit) !== 0n) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface RunOptions {
  /** The working folder (default: a folder of this test process under the OS temp dir, removed at exit). */
  readonly cwd?: string;
  /** Piped into standard input when given; `'open'`: a pipe that stays open and is never written; else standard input is closed. */
  readonly stdin?: Uint8Array | 'open';
  /** Variables added to (or overriding) this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Sends SIGINT this many milliseconds after the CLI first writes `evaluating` on stderr. */
  readonly interruptAfterMs?: number;
  /** Sends a signal, at a line of stderr or a time (the general form of `interruptAfterMs`). */
  readonly kill?: Kill;
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
    let kill = options.kill ?? (options.interruptAfterMs === undefined ? undefined : { signal: 'SIGINT', when: 'evaluating', delayMs: options.interruptAfterMs });
    let sentAt: number | undefined;
    const send = (signal: NodeJS.Signals, delayMs = 0): void => {
      setTimeout(() => {
        if (exited()) return;
        sentAt = performance.now();
        child.kill(signal);
      }, delayMs);
    };
    const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
    const after = typeof kill?.after === 'function' ? kill.after(child.pid!) : kill?.after;
    if (kill !== undefined && (kill.when === undefined || kill.when === 'handled')) {
      const { signal, delayMs } = kill;
      const trigger = kill.when === 'handled' ? handlesSignals(child.pid!, exited) : Promise.resolve();
      void Promise.all([trigger, after]).then(() => send(signal, delayMs));
      kill = undefined;
    }
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      if (kill?.when !== undefined && stderr.includes(kill.when)) {
        const { signal, delayMs } = kill;
        void Promise.resolve(after).then(() => send(signal, delayMs));
        kill = undefined;
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const exitedAfterMs = sentAt === undefined ? undefined : performance.now() - sentAt;
      if (options.stdin === 'open') child.stdin!.destroy();
      resolvePromise({ code, signal, stdout, stderr, exitedAfterMs });
    });
    if (options.stdin === 'open') {
      child.stdin!.on('error', () => {});
    } else if (options.stdin !== undefined) {
      child.stdin!.on('error', () => {}); // the CLI may exit before reading it all
      child.stdin!.end(options.stdin);
    }
  });
}
