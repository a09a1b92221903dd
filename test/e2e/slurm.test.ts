import test from 'ava';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistEval } from '../helpers/cli.js';
import { DATA_DIR, ROOT, withData } from '../helpers/data-dir.js';
import { sameReport } from '../helpers/same-report.js';
import { jobOutput, slurmMissing, startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster.js';

/**
 * The shipped Slurm example (examples/slurm/evaluate.sbatch) on a real Slurm cluster: a
 * single-node cluster on loopback (test/helpers/slurm-cluster.ts) runs it as a job array of 4
 * tasks over the 60,000 training images, `mnist-eval merge` joins the 4 partial reports, and the
 * result is what one run over the whole set writes: the report field by field (all but the
 * timings, the memory and the forward pass's threads), the mosaic, its tile index and the
 * predictions CSV byte for byte. The daemons are stopped in every case, and checked to be gone.
 */

const SCRIPT = join(ROOT, 'examples/slurm/evaluate.sbatch');
const TASKS = 4;
const IMAGES = 60_000;
/** A bound for a job that hangs (a task waiting for a node that never comes), not a speed check. */
const JOB_TIMEOUT_MS = 240_000;

const missing = slurmMissing();
if (missing === undefined) {
  registerSlurmTests();
} else {
  // As the browser test: a loud skip on a machine without Slurm; under CI=true a failure, since
  // .ci/run installs the packages and a skip there would pass a suite that never ran the script.
  if (process.env.CI === 'true') {
    test(`Slurm job array: ${missing}, and CI=true needs this test to run`, (t) => {
      t.fail(`the Slurm example was not run on a cluster: ${missing}`);
    });
  } else {
    test.skip(`Slurm job array: skipped, ${missing}`, (t) => t.pass());
  }
}

function registerSlurmTests(): void {
  let root: string;
  let cluster: SlurmCluster | undefined;

  test.before(async () => {
    root = await mkdtemp(join(tmpdir(), 'mnist-eval-slurm-'));
    const started = performance.now();
    cluster = await startSlurmCluster(join(root, 'cluster'));
    console.log(`  slurm: cluster up in ${((performance.now() - started) / 1000).toFixed(1)} s (pids ${cluster.pids.join(', ')})`);
  });

  test.after.always(async () => {
    const killed = (await cluster?.stop()) ?? [];
    if (root) await rm(root, { recursive: true, force: true });
    const running = [];
    for (const pid of cluster?.pids ?? []) {
      if (existsSync(`/proc/${pid}`) && !(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).includes(') Z')) running.push(pid);
    }
    if (running.length > 0) throw new Error(`Slurm daemons ${running.join(', ')} still run after the cluster was stopped`);
    if (killed.length > 0) throw new Error(`processes of the cluster outlived its daemons and were killed: ${killed.join(', ')}`);
  });

  test.serial('examples/slurm/evaluate.sbatch as a 4-task job array over mnist-train, merged: the single run\'s report, mosaic and predictions', withData(async (t) => {
    const work = join(root, 'work');
    const bin = join(root, 'bin');
    await mkdir(work, { recursive: true });
    await mkdir(bin, { recursive: true });
    // `mnist-eval` as an installed package provides it: a command on PATH (here, this checkout's bin).
    await writeFile(join(bin, 'mnist-eval'), `#!/bin/sh\nexec '${process.execPath}' '${join(ROOT, 'bin/mnist-eval.js')}' "$@"\n`);
    await chmod(join(bin, 'mnist-eval'), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, MNIST_EVAL_DATA_DIR: DATA_DIR };
    // A shard variable of the caller's would win over Slurm's (first match, src/sources/shards.ts).
    for (const name of ['MNIST_EVAL_SHARD_INDEX', 'MNIST_EVAL_SHARD_COUNT', 'JOB_COMPLETION_INDEX']) delete env[name];

    const started = performance.now();
    const jobId = await cluster!.sbatch([`--array=0-${TASKS - 1}`, `--chdir=${work}`, SCRIPT], env);
    const tasks = await cluster!.waitForJob(jobId, JOB_TIMEOUT_MS).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await cluster!.logs()}`);
    });
    const jobSeconds = (performance.now() - started) / 1000;
    const outputs = await Promise.all(tasks.map((task) => jobOutput(join(work, `slurm-${jobId}_${task.taskId}.out`))));
    t.deepEqual(tasks, Array.from({ length: TASKS }, (_, taskId) => ({ taskId, state: 'COMPLETED', exitCode: '0:0' })), `the tasks' output:\n${outputs.join('\n')}`);
    // A task's output file holds its run's stdout: the summary of its shard, and no error.
    outputs.forEach((output, k) => t.regex(output, new RegExp(`^accuracy 0\\.\\d{4} \\(\\d+ of ${IMAGES / TASKS} correct[^]*wrote parts/errors-${k}\\.png`), `task ${k}'s output`));
    t.log(`job ${jobId}: ${TASKS} tasks over ${IMAGES} images ended in ${jobSeconds.toFixed(1)} s (submit to the last task's end)`);

    t.deepEqual((await readdir(join(work, 'parts'))).sort(), Array.from({ length: TASKS }, (_, k) => [`errors-${k}.png`, `errors-${k}.tiles.json`, `part-${k}.json`, `pred-${k}.csv`]).flat().sort());
    for (let k = 0; k < TASKS; k++) {
      const part = JSON.parse(await readFile(join(work, `parts/part-${k}.json`), 'utf8'));
      t.like(part.shard, { index: k, count: TASKS, start: (k * IMAGES) / TASKS, end: ((k + 1) * IMAGES) / TASKS }, `task ${k} evaluated shard ${k} of ${TASKS}`);
    }

    const outputsArgs = ['--report', 'report.json', '--mosaic', 'errors.png', '--predictions', 'predictions.csv', '--quiet'];
    const parts = Array.from({ length: TASKS }, (_, k) => `parts/part-${TASKS - 1 - k}.json`); // any order
    const merge = await mnistEval(['merge', ...parts, ...outputsArgs], { cwd: work });
    t.is(merge.code, 0, merge.stderr);

    const whole = join(root, 'single');
    await mkdir(whole);
    const single = await mnistEval(['--dataset', 'mnist-train', ...outputsArgs], { cwd: whole });
    t.is(single.code, 0, single.stderr);

    const report = async (dir: string) => JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Record<string, unknown>;
    const [merged, one] = [await report(work), await report(whole)];
    t.is(one.total, IMAGES);
    sameReport(t, merged, one);
    for (const name of ['errors.png', 'errors.tiles.json', 'predictions.csv']) {
      t.deepEqual(await readFile(join(work, name)), await readFile(join(whole, name)), `${name} is not the single run's, byte for byte`);
    }
    t.log(`merged = single run: accuracy ${one.accuracy}, ${one.misclassified} misclassified; errors.png, errors.tiles.json, predictions.csv byte for byte`);
  }));
}
