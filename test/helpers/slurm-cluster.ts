/**
 * A real single-node Slurm cluster on loopback for the tests (Debian's slurmctld, slurmd,
 * slurm-client and munge): munged, slurmctld and slurmd started in the foreground by this process,
 * each with its key, socket, state, spool, logs and ports in one temp folder, and stopped by their
 * pids. Nothing under /etc or /run is read or written: Debian's policy keeps its own services from
 * starting, and a machine's real cluster (if any) is never touched.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The programs a cluster needs, by the Debian package that ships them. */
const PROGRAMS: Readonly<Record<string, string>> = {
  '/usr/sbin/munged': 'munge',
  '/usr/sbin/slurmctld': 'slurmctld',
  '/usr/sbin/slurmd': 'slurmd',
  '/usr/bin/sbatch': 'slurm-client',
  '/usr/bin/scontrol': 'slurm-client',
  '/usr/bin/sinfo': 'slurm-client',
  '/usr/bin/scancel': 'slurm-client',
  '/usr/bin/squeue': 'slurm-client',
};

/** Why no cluster can be started here, in one line; undefined when every program is installed. */
export function slurmMissing(): string | undefined {
  const absent = Object.keys(PROGRAMS).filter((path) => !existsSync(path));
  if (absent.length === 0) return undefined;
  const packages = [...new Set(absent.map((path) => PROGRAMS[path]))];
  return `${absent.join(', ')} missing (apt-get install -y ${packages.join(' ')})`;
}

/** One task of a job array as scontrol shows it once it has ended. */
export interface ArrayTask {
  readonly taskId: number;
  readonly state: string;
  /** `code:signal`, as Slurm writes it. */
  readonly exitCode: string;
}

export interface SlurmCluster {
  /** The variables a Slurm command needs to talk to this cluster (SLURM_CONF). */
  readonly env: NodeJS.ProcessEnv;
  /** Submits a batch script; resolves to its job id. */
  sbatch(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number>;
  /** Resolves once every task of `jobId` has ended, to their states; rejects after `timeoutMs`. */
  waitForJob(jobId: number, timeoutMs: number): Promise<ArrayTask[]>;
  /** The daemons' output, for a failure message. */
  logs(): Promise<string>;
  /** The daemons' pids (munged, slurmctld, slurmd). */
  readonly pids: readonly number[];
  /**
   * Cancels every job, waits for them to end, stops the daemons (SIGTERM, then SIGKILL after 10 s)
   * and kills whatever of the cluster still runs (a job step, a task's process: anything with this
   * cluster's SLURM_CONF in its environment); resolves to the pids it had to kill. Safe to call twice.
   */
  stop(): Promise<number[]>;
}

/** A TCP port nothing listens on now (the OS's pick, released before Slurm binds it). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

function slurmConf(dir: string, node: string, user: string, ports: readonly [number, number]): string {
  return [
    'ClusterName=mnisteval',
    `SlurmctldHost=${node}(127.0.0.1)`,
    `SlurmctldPort=${ports[0]}`,
    `SlurmdPort=${ports[1]}`,
    `SlurmUser=${user}`,
    `SlurmdUser=${user}`,
    'AuthType=auth/munge',
    'CredType=cred/munge',
    // Our munged, not the machine's: its socket is in the cluster's folder.
    `AuthInfo=socket=${join(dir, 'munge/munge.socket')}`,
    `StateSaveLocation=${join(dir, 'state')}`,
    `SlurmdSpoolDir=${join(dir, 'spool')}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
    `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
    // No cgroups: a container may have none to give, and the tests need no limits enforced.
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'MailProg=/bin/true',
    'MpiDefault=none',
    'SchedulerType=sched/backfill',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'ReturnToService=2',
    // Ended jobs stay visible to scontrol long enough for waitForJob to read their exit codes.
    'MinJobAge=600',
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN`,
    `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n');
}

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Starts munged, slurmctld and slurmd in `dir` (an empty folder); resolves once the node is idle. */
export async function startSlurmCluster(dir: string): Promise<SlurmCluster> {
  const node = hostname();
  const user = userInfo().username;
  for (const sub of ['munge', 'state', 'spool', 'log']) await mkdir(join(dir, sub), { recursive: true });
  await chmod(join(dir, 'munge'), 0o711); // munged wants its socket's folder searchable by all
  const key = join(dir, 'munge/munge.key');
  await writeFile(key, randomBytes(1024), { mode: 0o600 });
  const conf = join(dir, 'slurm.conf');
  await writeFile(conf, slurmConf(dir, node, user, [await freePort(), await freePort()]));
  const env = { ...process.env, SLURM_CONF: conf };

  const children: { name: string; child: ChildProcess; output: string[] }[] = [];
  const launch = (name: string, command: string, args: readonly string[]): void => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout!.on('data', (chunk) => output.push(String(chunk)));
    child.stderr!.on('data', (chunk) => output.push(String(chunk)));
    child.on('error', (error) => output.push(`${name}: ${error.message}\n`));
    children.push({ name, child, output });
  };
  // If this test process dies without its after hooks, the daemons die with it.
  const killAll = (): void => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const logs = async (): Promise<string> => children.map(({ name, output }) => `--- ${name}\n${output.join('')}`).join('\n');
  const alive = (name: string): boolean => {
    const entry = children.find((c) => c.name === name)!;
    return entry.child.exitCode === null && entry.child.signalCode === null;
  };
  const scontrol = async (...args: string[]) => (await run('/usr/bin/scontrol', args, { env })).stdout;

  let stopped: Promise<number[]> | undefined;
  const stop = (): Promise<number[]> => (stopped ??= stopAll());
  const stopAll = async (): Promise<number[]> => {
    if (alive('slurmctld')) {
      await run('/usr/bin/scancel', ['--full', '--user', user], { env }).catch(() => undefined);
      await waitForAsync(async () => (await run('/usr/bin/squeue', ['--noheader'], { env }).then((r) => r.stdout.trim(), () => '')) === '', 15_000, 'the jobs did not end').catch(() => undefined);
    }
    // slurmd first (it ends its job steps), then the controller, then munged that both used.
    for (const name of ['slurmd', 'slurmctld', 'munged']) {
      const entry = children.find((c) => c.name === name);
      if (entry === undefined || !alive(name)) continue;
      const exited = new Promise((resolveExit) => entry.child.once('close', resolveExit));
      entry.child.kill('SIGTERM');
      const timer = setTimeout(() => entry.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', killAll);
    const left = await processesOf(conf);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    return left;
  };

  try {
    launch('munged', '/usr/sbin/munged', [
      '--foreground', '--force', `--key-file=${key}`, `--socket=${join(dir, 'munge/munge.socket')}`,
      `--pid-file=${join(dir, 'munge/munged.pid')}`, `--seed-file=${join(dir, 'munge/munged.seed')}`, `--log-file=${join(dir, 'log/munged.log')}`,
    ]);
    await waitFor(() => existsSync(join(dir, 'munge/munge.socket')), () => alive('munged'), 10_000, 'munged did not create its socket');
    launch('slurmctld', '/usr/sbin/slurmctld', ['-D', '-c', '-f', conf]);
    launch('slurmd', '/usr/sbin/slurmd', ['-D', '-f', conf]);
    await waitForAsync(async () => {
      if (!alive('slurmctld') || !alive('slurmd')) throw new Error('a Slurm daemon exited while starting');
      const state = await run('/usr/bin/sinfo', ['--noheader', '--format=%T'], { env }).then((r) => r.stdout.trim(), () => '');
      return state === 'idle';
    }, 30_000, 'the node did not become idle');
  } catch (error) {
    const output = await logs();
    await stop();
    throw new Error(`the Slurm cluster did not start: ${(error as Error).message}\n${output}`);
  }

  return {
    env: { SLURM_CONF: conf },
    pids: children.map(({ child }) => child.pid!),
    logs,
    stop,
    async sbatch(args, jobEnv) {
      const { stdout } = await run('/usr/bin/sbatch', ['--parsable', ...args], { env: { ...jobEnv, SLURM_CONF: conf } });
      const id = Number.parseInt(stdout.trim().split(';')[0], 10);
      if (!Number.isInteger(id)) throw new Error(`sbatch printed no job id: ${stdout}`);
      return id;
    },
    async waitForJob(jobId, timeoutMs) {
      let tasks: ArrayTask[] = [];
      await waitForAsync(async () => {
        tasks = parseJobs(await scontrol('--oneliner', 'show', 'job', String(jobId)));
        // The array's pending remainder is one record (ArrayTaskId=1-3) until every task is scheduled.
        return tasks.length > 0 && tasks.every((task) => ENDED.has(task.state));
      }, timeoutMs, `job ${jobId} did not end`);
      return tasks.sort((a, b) => a.taskId - b.taskId);
    },
  };
}

const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED']);

/** `scontrol --oneliner show job` → one entry per record (a task, or a pending range as NaN). */
function parseJobs(text: string): ArrayTask[] {
  return text.split('\n').filter((line) => line.includes('JobId=')).map((line) => {
    const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S+)`).exec(line)?.[1] ?? '';
    return { taskId: Number(field('ArrayTaskId')), state: field('JobState'), exitCode: field('ExitCode') };
  });
}

async function waitFor(done: () => boolean, alive: () => boolean, timeoutMs: number, what: string): Promise<void> {
  await waitForAsync(async () => {
    if (!alive()) throw new Error(`${what}: it exited`);
    return done();
  }, timeoutMs, what);
}

async function waitForAsync(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > until) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** The pids of the processes whose environment names `conf` as SLURM_CONF (the daemons, job steps and tasks of one cluster). */
async function processesOf(conf: string): Promise<number[]> {
  const marker = `SLURM_CONF=${conf}\0`;
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => pid !== process.pid);
  const found = await Promise.all(pids.map(async (pid) => ((await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '')).includes(marker) ? pid : undefined)));
  return found.filter((pid): pid is number => pid !== undefined);
}

/** The text of a file a job wrote, or a note that it is missing. */
export const jobOutput = (path: string): Promise<string> => readFile(path, 'utf8').catch(() => `(no ${path})`);
