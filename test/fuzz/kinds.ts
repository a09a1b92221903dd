/**
 * The input kinds the fuzz properties mutate: for each, the edits an arbitrary makes and the
 * command line that reads the edited file; `check` runs one case and throws its breach of the
 * contract (contract.ts), naming the input kind, the breach and the argv.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { breach, outputArgs, remark, runCli } from './contract.js';
import { fixtures, type Fixtures } from './fixtures.js';
import { applyByteOps, applyJsonOps, byteOps, jsonOps, type ByteOp, type JsonOp } from './mutations.js';

export const scratch = mkdtempSync(join(tmpdir(), 'mnist-eval-fuzz-'));
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** An input kind: the files one mutation makes in `dir`, and the arguments that use them. */
interface Kind<Op> {
  readonly ops: fc.Arbitrary<Op>;
  readonly argv: (f: Fixtures, dir: string, op: Op) => Promise<string[]>;
}

const written = async (dir: string, name: string, bytes: Uint8Array): Promise<string> => {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
};

const whichOf = <T>(ops: fc.Arbitrary<T>) => fc.record({ file: fc.constantFrom('images' as const, 'labels' as const), edits: ops });
type Which<T> = { file: 'images' | 'labels'; edits: T };
const LIMIT = ['--max-weights-mib', '16'];

export const KINDS = {
  'IDX (raw)': {
    ops: whichOf(byteOps),
    argv: async (f, dir, { file, edits }) => {
      const images = await written(dir, 't10k-images-idx3-ubyte', file === 'images' ? applyByteOps(f.imagesIdx, edits) : f.imagesIdx);
      const labels = await written(dir, 't10k-labels-idx1-ubyte', file === 'labels' ? applyByteOps(f.labelsIdx, edits) : f.labelsIdx);
      return ['--images', images, '--labels', labels, '--weights', f.paths.pickle, ...LIMIT];
    },
  } satisfies Kind<Which<ByteOp[]>>,
  gzip: {
    ops: whichOf(byteOps),
    argv: async (f, dir, { file, edits }) => {
      const images = await written(dir, 't10k-images-idx3-ubyte.gz', file === 'images' ? applyByteOps(f.imagesGz, edits) : f.imagesGz);
      const labels = await written(dir, 't10k-labels-idx1-ubyte.gz', file === 'labels' ? applyByteOps(f.labelsGz, edits) : f.labelsGz);
      return ['--images', images, '--labels', labels, '--weights', f.paths.pickle, ...LIMIT];
    },
  } satisfies Kind<Which<ByteOp[]>>,
  zip: {
    ops: byteOps,
    argv: async (f, dir, edits) => {
      const zip = await written(dir, 'mnist.zip', applyByteOps(f.zip, edits));
      return ['--images', zip, '--labels', zip, '--weights', f.paths.pickle, ...LIMIT];
    },
  } satisfies Kind<ByteOp[]>,
  pickle: {
    ops: byteOps,
    argv: async (f, dir, edits) => {
      const weights = await written(dir, 'tiny.pkl', applyByteOps(f.pickle, edits));
      return ['--images', f.paths.images, '--labels', f.paths.labels, '--weights', weights, ...LIMIT];
    },
  } satisfies Kind<ByteOp[]>,
  npz: {
    ops: byteOps,
    argv: async (f, dir, edits) => {
      const weights = await written(dir, 'tiny.npz', applyByteOps(f.npz, edits));
      return ['--images', f.paths.images, '--labels', f.paths.labels, '--weights', weights, ...LIMIT];
    },
  } satisfies Kind<ByteOp[]>,
  'model JSON': {
    ops: jsonOps,
    argv: async (f, dir, edits) => {
      const model = await written(dir, 'tiny-model.json', applyJsonOps(f.modelJson, edits));
      return ['--images', f.paths.images, '--labels', f.paths.labels, '--weights', f.paths.npz, '--model', model, ...LIMIT];
    },
  } satisfies Kind<JsonOp[]>,
  'shard report (merge)': {
    ops: jsonOps,
    argv: async (f, dir, edits) => {
      const part = await written(dir, 'part-0.json', applyJsonOps(f.shard0, edits));
      return ['merge', part, f.shard1Path];
    },
  } satisfies Kind<JsonOp[]>,
} as const;

export type KindName = keyof typeof KINDS;

/** Runs the CLI on one mutation of `kind`; throws the breach of the contract, naming the input. */
export async function check(name: KindName, op: unknown, dir: string, remarks?: Set<string>, flags: readonly string[] = []): Promise<void> {
  const f = await fixtures();
  const kind = KINDS[name] as Kind<unknown>;
  const input = join(dir, 'in');
  rmSync(input, { recursive: true, force: true });
  const argv = [...await kind.argv(f, input, op), ...outputArgs(join(dir, 'out')), ...(name === 'shard report (merge)' ? [] : flags)];
  const outcome = await runCli(argv, join(dir, 'out'));
  const problem = breach(outcome);
  if (problem !== undefined) throw new Error(`${name}: ${problem}\n  argv: ${argv.join(' ')}`);
  const note = remark(outcome);
  if (note !== undefined) remarks?.add(note);
}


/** Options of a run (not of merge) that change how the mutated inputs are read: a few at a time. */
export const flags: fc.Arbitrary<string[]> = fc.uniqueArray(fc.constantFrom(
  ['--kernel', 'js'], ['--batch-size', '1'], ['--batch-size', '7'], ['--offset', '3'], ['--limit', '5'], ['--mosaic-order', 'confidence'],
  ['--mosaic-cap', '1'], ['--no-normalize'], ['--activation', 'relu'], ['--precision', 'float64'], ['--workers', '1'], ['--shard', '1/3'], ['--no-mosaic'],
), { maxLength: 3, selector: (group) => group[0] }).map((groups) => groups.flat());

/** The arbitrary of a kind's edits. */
export const opsOf = (name: KindName): fc.Arbitrary<unknown> => (KINDS[name] as Kind<unknown>).ops;
