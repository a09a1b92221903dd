/**
 * The forward pass's plan at the command line: a value the plan refuses is a usage error
 * (exit 2, one line), never an internal error, and no output is written.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { DATA_DIR as DATA, needsData } from '../helpers/data-dir.js';

needsData(test);

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({ write(chunk, _encoding, done) { text += chunk; done(); } });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

const CASES: ReadonlyArray<{ args: string[]; message: string }> = [
  { args: ['--weights', join(DATA, 'sample_weight.pkl'), '--kernel', 'wasm', '--precision', 'float64'], message: 'the wasm kernel cannot run this network: it computes in float32, the network is float64' },
  { args: ['--weights', join(DATA, 'sample_weight.pkl'), '--threads', '2', '--workers', '1'], message: "threads (2) split the main thread's batches, but the forward pass runs on 1 worker: give threads or workers, not both" },
  { args: ['--weights', join(DATA, 'sample_weight.pkl'), '--batch-size', '1000000'], message: "--batch-size must be at most 65536 (the kernels' buffers hold one batch), got '1000000'" },
];

for (const { args, message } of CASES) {
  test(`${args.filter((arg) => !arg.startsWith('/')).join(' ')}: a usage error, exit 2, nothing written`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-plan-'));
    const stderr = capture();
    const code = await main([...args, '--limit', '10', '--quiet', '--report', join(dir, 'r.json'), '--mosaic', join(dir, 'm.png')], { stdout: capture().stream, stderr: stderr.stream });
    t.is(code, 2);
    t.is(stderr.text().split('\n')[0], `mnist-eval: ${message}`);
    t.false(existsSync(join(dir, 'r.json')));
    t.false(existsSync(join(dir, 'm.png')));
  });
}
