/**
 * Running a README command as a user would, with `mnist-eval` meaning this checkout's bin: a
 * `mnist-eval` script (exec node bin/mnist-eval.js) first on PATH, the tests' data folder as
 * MNIST_EVAL_DATA_DIR, and no shard variables inherited from the caller. Every block gets a fresh
 * working folder under one temp folder, removed when the test process exits. At most a few
 * processes run at once, so the blocks can run concurrently without thrashing the machine.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR, ROOT } from '../helpers/data-dir.js';
import { limiter } from '../helpers/limiter.js';

const root = mkdtempSync(join(tmpdir(), 'mnist-eval-readme-'));
process.once('exit', () => rmSync(root, { recursive: true, force: true }));

const binDir = join(root, 'bin');
mkdirSync(binDir);
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
writeFileSync(join(binDir, 'mnist-eval'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(join(ROOT, 'bin/mnist-eval.js'))} "$@"\n`);
chmodSync(join(binDir, 'mnist-eval'), 0o755);

/** Variables a scheduler would set, which must come only from the README's own commands. */
const SCHEDULER_VARIABLE = /^(MNIST_EVAL_SHARD_|JOB_COMPLETION_INDEX$|SLURM_ARRAY_)/;

function environment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!SCHEDULER_VARIABLE.test(name)) env[name] = value;
  return { ...env, PATH: `${binDir}:${process.env.PATH ?? ''}`, MNIST_EVAL_DATA_DIR: DATA_DIR, ...extra };
}

/** A fresh working folder for one block. */
export function workspace(): Promise<string> {
  return mkdtemp(join(root, 'block-'));
}

export interface Exit {
  /** What ran, for messages. */
  readonly command: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** At most as many processes at once as the machine has cores (at least 2). */
const slot = limiter(Math.max(2, availableParallelism()));

/** Runs `argv` (no shell; `mnist-eval` is found on PATH) in `cwd`; `fd3` collects what the child writes to its file descriptor 3. */
export function exec(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Exit & { readonly fd3: string }> {
  return slot(() => new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env: environment(env), stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '', fd3: '' };
    child.stdout!.on('data', (chunk) => (out.stdout += chunk));
    child.stderr!.on('data', (chunk) => (out.stderr += chunk));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk) => (out.fd3 += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ command: argv.join(' '), code, ...out }));
  }));
}

/**
 * Runs one command line through bash (pipes, globs, `&&`) as a user's shell would, except that a
 * pipeline fails when any of its commands fails: a command before the last may only end with 0 or
 * with 141, the death by SIGPIPE of a writer whose reader has read all it wanted (`… | head`).
 */
export async function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  const exit = await exec(['bash', '-c', `${command}\nstatus=("\${PIPESTATUS[@]}"); echo "\${status[*]}" >&3; exit "\${status[-1]}"`], cwd, env);
  const statuses = exit.fd3.trim().split(' ').map(Number);
  const failedWriter = statuses.slice(0, -1).find((status) => status !== 0 && status !== 141);
  return { command, code: failedWriter ?? exit.code, stdout: exit.stdout, stderr: exit.stderr };
}

/** The exit code and stderr of a run, for a failed assertion. */
export function explain(exit: Exit): string {
  return `\`${exit.command}\` exited ${exit.code}: ${exit.stderr.trim().split('\n').slice(-5).join(' | ') || '(no stderr)'}`;
}
