import test from 'ava';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { generateDataset, readBaseSet } from '../../pipelines/generate-dataset.js';
import { mnistEval } from '../helpers/cli.js';
import { IMAGES_GZ, LABELS_GZ, needsData, ROOT } from '../helpers/data-dir.js';
import { sameReport } from '../helpers/same-report.js';

/**
 * The shipped Kubernetes example (examples/kubernetes/indexed-job.yaml), parsed as Kubernetes
 * reads it: an Indexed Job whose pods each run the container's command and args with
 * JOB_COMPLETION_INDEX set to their index and $(VAR) references expanded. Here every pod's command
 * line runs at once in a folder standing in for the volume at workingDir (with its big-images.gz
 * and big-labels.gz, small generated sets), then the merge the file's header gives; the merge must
 * equal one run over the same images (the report field by field, mosaic and CSV byte for byte).
 */

needsData(test);

const FILE = join(ROOT, 'examples/kubernetes/indexed-job.yaml');
/** Images in the stand-in for big-images.gz: enough for every pod's shard to hold errors. */
const COUNT = 2_000;

interface Container {
  name?: string;
  command?: unknown[];
  args?: unknown[];
  workingDir?: string;
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Job {
  apiVersion?: string;
  kind?: string;
  spec?: { completions?: number; parallelism?: number; completionMode?: string; template?: { spec?: { restartPolicy?: string; containers?: Container[]; volumes?: { name: string }[] } } };
}

/** $(VAR) from the container's variables, $$ as a literal $, unknown references kept: Kubernetes' rules for command and args. */
function expand(arg: string, env: Readonly<Record<string, string>>): string {
  return arg.replace(/\$\$|\$\((\w+)\)/g, (whole, name: string | undefined) => (name === undefined ? '$' : env[name] ?? whole));
}

async function readJob(): Promise<{ job: Job; container: Container; text: string }> {
  const text = await readFile(FILE, 'utf8');
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new Error(`${FILE}: ${document.errors[0].message}`);
  const job = document.toJS() as Job;
  const container = job.spec?.template?.spec?.containers?.[0];
  if (container === undefined) throw new Error(`${FILE}: no container`);
  return { job, container, text };
}

test('indexed-job.yaml is an Indexed Job whose one container runs mnist-eval --shard env in the shared volume', async (t) => {
  const { job, container } = await readJob();
  t.is(job.apiVersion, 'batch/v1');
  t.is(job.kind, 'Job');
  t.is(job.spec?.completionMode, 'Indexed', 'JOB_COMPLETION_INDEX is set only in an Indexed Job');
  t.is(job.spec?.parallelism, job.spec?.completions);
  t.is(job.spec?.template?.spec?.restartPolicy, 'Never');
  t.is(job.spec?.template?.spec?.containers?.length, 1);
  t.deepEqual(container.command, ['mnist-eval']);
  const args = (container.args ?? []).map(String);
  t.deepEqual(args.slice(args.indexOf('--shard'), args.indexOf('--shard') + 4), ['--shard', 'env', '--shard-count', String(job.spec?.completions)], 'the shard count is the completions');
  const mount = container.volumeMounts?.find((m) => m.mountPath === container.workingDir);
  t.truthy(mount, 'the working folder is the mounted volume, where the parts must land');
  t.true(job.spec?.template?.spec?.volumes?.some((volume) => volume.name === mount?.name));
});

test('every pod\'s command line, with JOB_COMPLETION_INDEX set, then the header\'s merge: the single run\'s report, mosaic and predictions', async (t) => {
  const { job, container, text } = await readJob();
  const completions = job.spec!.completions!;
  const volume = await mkdtemp(join(tmpdir(), 'mnist-eval-k8s-'));
  t.teardown(() => rm(volume, { recursive: true, force: true }));
  const made = await generateDataset(await readBaseSet(IMAGES_GZ, LABELS_GZ), volume, 'gen', { count: COUNT, seed: 1, level: 1 });
  await rename(made.images, join(volume, 'big-images.gz'));
  await rename(made.labels, join(volume, 'big-labels.gz'));
  await mkdir(join(volume, 'parts')); // the volume's folder, made once (mnist-eval makes it too)

  const written = [...(container.command ?? []), ...(container.args ?? [])].map(String);
  const pods = await Promise.all(Array.from({ length: completions }, async (_, index) => {
    const env: Record<string, string> = { JOB_COMPLETION_INDEX: String(index) };
    for (const { name, value } of container.env ?? []) env[name] = value ?? '';
    const argv = written.map((arg) => expand(arg, env));
    return { index, argv, run: await mnistEval(argv.slice(1), { cwd: volume, env: { ...env, MNIST_EVAL_SHARD_INDEX: '', MNIST_EVAL_SHARD_COUNT: '', SLURM_ARRAY_TASK_ID: '' } }) };
  }));
  for (const { index, argv, run } of pods) {
    t.is(run.code, 0, `pod ${index} (${argv.join(' ')}): ${run.stderr}`);
    const part = JSON.parse(await readFile(join(volume, `parts/part-${index}.json`), 'utf8'));
    t.like(part.shard, { index, count: completions, start: (index * COUNT) / completions, end: ((index + 1) * COUNT) / completions });
  }
  t.log(`${completions} pods at once, JOB_COMPLETION_INDEX=0…${completions - 1}: \`${pods[0].argv.join(' ')}\` …`);

  // The merge of the file's header, its glob expanded as a shell would (sorted).
  const header = /^#\s+(mnist-eval merge .+)$/m.exec(text)?.[1];
  if (header === undefined) return t.fail(`${FILE}'s header no longer says how to merge the parts`);
  const parts = (await readdir(join(volume, 'parts'))).filter((name) => /^part-\d+\.json$/.test(name)).sort().map((name) => `parts/${name}`);
  const mergeArgv = header.split(/\s+/).flatMap((word) => (word === 'parts/part-*.json' ? parts : [word]));
  t.is(parts.length, completions);
  const merge = await mnistEval([...mergeArgv.slice(1), '--quiet'], { cwd: volume });
  t.is(merge.code, 0, merge.stderr);

  // One run over the same files, with the merge's outputs, in a folder of its own beside them.
  const single = join(volume, 'single');
  await mkdir(single);
  const outputs = mergeArgv.slice(2 + completions);
  const whole = await mnistEval(['--images', '../big-images.gz', '--labels', '../big-labels.gz', ...outputs, '--quiet'], { cwd: single });
  t.is(whole.code, 0, whole.stderr);
  const report = async (dir: string) => JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Record<string, any>;
  const [merged, one] = [await report(volume), await report(single)];
  t.is(one.total, COUNT);
  // The single run names its inputs from its own folder; what they are is the same.
  t.deepEqual(merged.inputs, { ...one.inputs, images: 'big-images.gz', labels: 'big-labels.gz' });
  sameReport(t, { ...merged, inputs: null }, { ...one, inputs: null });
  for (const name of ['errors.png', 'errors.tiles.json', 'predictions.csv']) {
    t.deepEqual(await readFile(join(volume, name)), await readFile(join(single, name)), `${name} differs from the single run's`);
  }
  t.log(`\`${mergeArgv.join(' ')}\` = one run: accuracy ${one.accuracy}, ${one.misclassified} misclassified; errors.png, errors.tiles.json, predictions.csv byte for byte`);
});

test('a pod without its completion index stops with the usage error and writes nothing', async (t) => {
  const { container } = await readJob();
  const volume = await mkdtemp(join(tmpdir(), 'mnist-eval-k8s-'));
  t.teardown(() => rm(volume, { recursive: true, force: true }));
  const argv = [...(container.args ?? [])].map(String); // $(JOB_COMPLETION_INDEX) unset stays as written, as in Kubernetes
  const run = await mnistEval(argv, { cwd: volume, env: { JOB_COMPLETION_INDEX: '', MNIST_EVAL_SHARD_INDEX: '', SLURM_ARRAY_TASK_ID: '' } });
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /^mnist-eval: --shard env: no shard index in the environment/);
  t.deepEqual(await readdir(volume), []);
});
