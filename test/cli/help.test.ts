/**
 * `mnist-eval --help` through the real CLI: it names every environment variable the code reads
 * (found by reading src/ and pipelines/, so a new one fails here until it is documented), the exit
 * codes, and the commands, each of which answers `mnist-eval COMMAND --help` with its own text.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mnistEval } from '../helpers/cli.js';
import { ROOT } from '../helpers/data-dir.js';

const sources = ['src', 'pipelines'].flatMap((folder) =>
  readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts')).map((name) => readFileSync(join(ROOT, folder, name), 'utf8')));
const variables = [...new Set(sources.flatMap((text) => [...text.matchAll(/\b(MNIST_EVAL_[A-Z_]+|SLURM_[A-Z_]+|JOB_COMPLETION_INDEX)\b/g)].map((match) => match[1])))].sort();

test('--help names every environment variable the code reads', async (t) => {
  const run = await mnistEval(['--help']);
  t.is(run.code, 0);
  t.true(variables.length >= 9, variables.join(' '));
  t.deepEqual(variables.filter((name) => !new RegExp(`\\b${name}\\b`).test(run.stdout)), []);
});

test('--help lists the exit codes, closed standard output among them', async (t) => {
  const { stdout } = await mnistEval(['--help']);
  const codes = stdout.split('Exit status:\n')[1];
  t.truthy(codes);
  t.deepEqual([...codes.matchAll(/^ {2}(\d+) /gm)].map((match) => match[1]), ['0', '1', '2', '130']);
  t.regex(codes, /standard output is closed early/);
});

test('every command the help names answers COMMAND --help with its own usage, exit 0', async (t) => {
  const { stdout } = await mnistEval(['--help']);
  const commands = [...stdout.split('Commands:\n')[1].split('\n\n')[0].matchAll(/^ {2}([a-z]+) /gm)].map((match) => match[1]);
  t.true(commands.includes('merge'), stdout);
  for (const command of commands) {
    const run = await mnistEval([command, '--help']);
    t.is(run.code, 0, `${command}: ${run.stderr}`);
    t.true(run.stdout.startsWith(`usage: mnist-eval ${command} `), `${command}: ${run.stdout.split('\n')[0]}`);
  }
});
