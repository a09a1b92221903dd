/**
 * Unpickling a PyTorch file's pickles with pickleparser, hardened as for the numpy pickles
 * (`PickleReader`: bounded lengths, every string charged to the file's budget; the traps that
 * refuse implicit copies; pickleparser's console warnings muted), with the state dict's allowlist
 * of globals (torch-globals.ts) instead of numpy's.
 */
import { Parser } from 'pickleparser';
import { InputError } from '../../errors.js';
import type { ByteBudget } from '../decode-array.js';
import { MalformedPickle } from '../pickle-globals.js';
import { PickleReader, readPickle } from '../pickle.js';
import { createTorchGlobals, refusalOf, type StorageToken } from './torch-globals.js';

export interface TorchUnpickler {
  /** Where the next pickle starts in the bytes. */
  readonly position: number;
  /** Moves past `length` bytes the caller read itself (the legacy format's magic number). */
  skip(length: number): void;
  /** The state dict's pickle at the position: torch's globals and storage ids allowed. */
  loadStateDict(): unknown;
  /** A plain pickle at the position (the legacy format's header and key list): no global at all. */
  loadPlain(): unknown;
  /** Every storage the state dict's persistent ids declared, by key. */
  readonly storages: ReadonlyMap<string, StorageToken>;
}

/**
 * An unpickler over `bytes`, which may hold several pickles back to back, read in turn. Storage
 * persistent ids have `pidLength` items: 5 in the zip format, 6 (view metadata None) in the legacy one.
 */
export function createTorchUnpickler(bytes: Uint8Array, file: string, budget: ByteBudget, pidLength: 5 | 6): TorchUnpickler {
  const reader = new PickleReader(bytes);
  reader.charge = (size) => budget.charge(size, reader.position);
  const torch = createTorchGlobals(reader.charge, pidLength);
  const refuse = (problem: string): never => {
    throw new InputError(file, problem);
  };
  const nameOf = (module: unknown, name: unknown): string => {
    if (typeof module !== 'string' || typeof name !== 'string') throw new MalformedPickle('a global is named by non-strings');
    return `${module}.${name}`;
  };
  const common = {
    extensionResolver: { resolve: (code: number) => refuse(`refused extension code ${code} (a state dict names its globals)`) },
    buffers: {
      next: () => refuse('pickle refers to out-of-band buffers (protocol 5 buffer_callback), which a file does not hold'),
    },
    unpicklingTypeOfDictionary: 'Map' as const,
    unpicklingTypeOfSet: 'array' as const,
  };
  const stateDictParser = new Parser({
    ...common,
    nameResolver: {
      resolve: (module: unknown, name: unknown) => {
        const full = nameOf(module, name);
        // A storage type is a value, not a function: pickleparser only puts it on the stack.
        return (torch.globals.get(full) ?? refuse(refusalOf(full))) as (...args: unknown[]) => unknown;
      },
    },
    persistentResolver: { resolve: (pid: unknown) => torch.persistentLoad(pid, reader.position) },
  });
  const plainParser = new Parser({
    ...common,
    nameResolver: { resolve: (module: unknown, name: unknown) => refuse(refusalOf(nameOf(module, name))) },
    persistentResolver: { resolve: () => refuse('refused a persistent id outside the state dict') },
  });
  const load = (parser: Parser): unknown => readPickle(parser, reader, bytes, file, 'only a state dict\'s OrderedDict may take');

  return {
    get position() {
      return reader.position;
    },
    skip: (length) => reader.skip(length),
    loadStateDict: () => load(stateDictParser),
    loadPlain: () => load(plainParser),
    storages: torch.storages,
  };
}
