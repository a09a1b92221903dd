/**
 * What a pickled PyTorch state dict may name: no wider than `torch.load(weights_only=True)` needs
 * for one. torch pickles a state dict as
 *
 *   OrderedDict() with SETITEMS of name → _rebuild_tensor_v2(storage, offset, size, stride,
 *   requires_grad, OrderedDict()), then BUILD setting its `_metadata` (per-module versions);
 *   a storage is a persistent id ('storage', torch.FloatStorage, key, location, numel), with a
 *   sixth item (view metadata, None) in the legacy format.
 *
 * Every other global is refused by name the moment the pickle names it, so nothing it asks for
 * ever runs: the functions below only record their arguments in tokens, and the arrays are read
 * from the tokens after parsing.
 */
import { quote } from '../decode-array.js';
import { MalformedPickle, latin1Bytes, type Charge } from '../pickle-globals.js';
import type { FloatKind } from './tensor-storage.js';

/** A torch storage class (`torch.FloatStorage`): its element type and size. */
export class StorageType {
  constructor(readonly name: string, readonly dtype: string, readonly itemSize: number, readonly float?: FloatKind) {}
}

/** Float storages are read; integer and bool ones (BatchNorm's counters) are checked and left out. */
const STORAGE_TYPES = [
  new StorageType('FloatStorage', 'float32', 4, 'float32'),
  new StorageType('DoubleStorage', 'float64', 8, 'float64'),
  new StorageType('HalfStorage', 'float16', 2, 'float16'),
  new StorageType('BFloat16Storage', 'bfloat16', 2, 'bfloat16'),
  new StorageType('LongStorage', 'int64', 8),
  new StorageType('IntStorage', 'int32', 4),
  new StorageType('ShortStorage', 'int16', 2),
  new StorageType('CharStorage', 'int8', 1),
  new StorageType('ByteStorage', 'uint8', 1),
  new StorageType('BoolStorage', 'bool', 1),
];

/** One storage of the file, as its persistent id declares it. */
export class StorageToken {
  constructor(readonly type: StorageType, readonly key: string, readonly numel: number) {}
}

/** A tensor: a view (offset, size, stride, in elements) on a storage. */
export class TensorToken {
  constructor(readonly storage: StorageToken, readonly offset: number, readonly size: number[], readonly stride: number[]) {}
}

/**
 * collections.OrderedDict. torch's state dict ends with a BUILD setting `_metadata`, the versions
 * of the modules, which say nothing about the arrays: accepted and dropped. (Without its own
 * `__setstate__`, BUILD would reach the trap that refuses BUILD on containers.)
 */
export class TorchOrderedDict extends Map<unknown, unknown> {
  __setstate__(state: unknown): void {
    if (!(state instanceof Map)) throw new MalformedPickle('BUILD of an OrderedDict with a state that is not a dict');
  }
}

type Resolved = (...args: unknown[]) => unknown;

/** What a state dict's pickle may name, and how its persistent ids are read; made fresh per parse. */
export interface TorchGlobals {
  readonly globals: ReadonlyMap<string, Resolved | StorageType>;
  /** Every storage the persistent ids declared so far, by key. */
  readonly storages: ReadonlyMap<string, StorageToken>;
  /** Resolves one persistent id to its storage; `at` says where the pickle is, for messages. */
  persistentLoad(pid: unknown, at: number): StorageToken;
}

/** Tensor-building functions torch writes, each checking the types of what it is given. */
export function createTorchGlobals(charge: Charge, pidLength: 5 | 6): TorchGlobals {
  const storages = new Map<string, StorageToken>();
  const rebuildTensor: Resolved = (storage, offset, size, stride, requiresGrad, hooks, ...rest) => {
    if (!(storage instanceof StorageToken)) throw new MalformedPickle('_rebuild_tensor of something other than a storage');
    if (!Number.isSafeInteger(offset)) throw new MalformedPickle('a tensor\'s storage offset is not an integer');
    if (!isIntegers(size) || !isIntegers(stride)) throw new MalformedPickle('a tensor\'s size or stride is not a tuple of integers');
    if (requiresGrad !== undefined && typeof requiresGrad !== 'boolean') throw new MalformedPickle('a tensor\'s requires_grad is not a bool');
    if (hooks !== undefined && !(hooks instanceof Map)) throw new MalformedPickle('a tensor\'s backward hooks are not an OrderedDict');
    if (rest.length > 1 || (rest.length === 1 && rest[0] !== null && !(rest[0] instanceof Map))) {
      throw new MalformedPickle('_rebuild_tensor_v2 takes at most 7 arguments, the last a dict or None');
    }
    return new TensorToken(storage, offset as number, size, stride);
  };
  const rebuildParameter: Resolved = (data, requiresGrad, hooks) => {
    if (!(data instanceof TensorToken)) throw new MalformedPickle('_rebuild_parameter of something other than a tensor');
    if (typeof requiresGrad !== 'boolean' || !(hooks instanceof Map)) throw new MalformedPickle('malformed _rebuild_parameter arguments');
    return data;
  };
  const orderedDict: Resolved = (...args) => {
    if (args.length > 1 || (args.length === 1 && !(Array.isArray(args[0]) && args[0].length === 0))) {
      throw new MalformedPickle('collections.OrderedDict is called with items, which torch never writes');
    }
    return new TorchOrderedDict();
  };
  const encode: Resolved = (text, encoding) => {
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
      throw new MalformedPickle('_codecs.encode is only allowed for latin1 bytes');
    }
    return latin1Bytes(text, charge);
  };
  const globals = new Map<string, Resolved | StorageType>([
    ['collections.OrderedDict', orderedDict],
    ['torch._utils._rebuild_tensor_v2', rebuildTensor],
    ['torch._utils._rebuild_tensor', (storage, offset, size, stride, ...rest) => {
      if (rest.length > 0) throw new MalformedPickle('_rebuild_tensor takes 4 arguments');
      return rebuildTensor(storage, offset, size, stride);
    }],
    ['torch._utils._rebuild_parameter', rebuildParameter],
    ['_codecs.encode', encode],
    ...STORAGE_TYPES.map((type) => [`torch.${type.name}`, type] as const),
  ]);
  return {
    globals,
    storages,
    persistentLoad: (pid, at) => {
      const storage = readPersistentId(pid, pidLength, at);
      const known = storages.get(storage.key);
      if (known === undefined) {
        storages.set(storage.key, storage);
        return storage;
      }
      if (known.type !== storage.type || known.numel !== storage.numel) {
        throw new MalformedPickle(`storage ${quote(storage.key)} is declared twice, as ${known.numel} ${known.type.dtype} and as ${storage.numel} ${storage.type.dtype} elements, before byte ${at}`);
      }
      return known;
    },
  };
}

function readPersistentId(pid: unknown, pidLength: 5 | 6, at: number): StorageToken {
  const shape = pidLength === 5 ? "('storage', <storage type>, key, location, numel)" : "('storage', <storage type>, key, location, numel, None)";
  if (!Array.isArray(pid) || pid.length !== pidLength || pid[0] !== 'storage' || (pidLength === 6 && pid[5] !== null)) {
    throw new MalformedPickle(`the persistent id before byte ${at} is not ${shape}`);
  }
  const [, type, key, location, numel] = pid as unknown[];
  if (!(type instanceof StorageType) || typeof key !== 'string' || typeof location !== 'string' || !Number.isSafeInteger(numel) || (numel as number) < 0) {
    throw new MalformedPickle(`the persistent id before byte ${at} is not ${shape}`);
  }
  // Keys are decimal numbers as torch writes them; anything else would only name other entries.
  if (!/^[\w.-]{1,100}$/.test(key)) throw new MalformedPickle(`storage key ${quote(key)} before byte ${at} is not a plain name`);
  return new StorageToken(type, key, numel as number);
}

function isIntegers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => Number.isSafeInteger(n));
}

/** Why a global outside the allowlist is refused: a whole model gets the way out. */
export function refusalOf(name: string): string {
  const shown = quote(name).slice(1, -1);
  if (/^__main__\.|^torch\.nn\.|^(__builtin__|builtins)\.set$/.test(name)) {
    return `refused global ${shown}: the file is a whole model pickled with torch.save(model), not a state dict; `
      + 'save model.state_dict() instead, or export the model to ONNX (nothing in the file was run)';
  }
  if (/^torch\.\w*Storage$/.test(name)) {
    return `refused global ${shown}: a storage type mnist-eval cannot read, expected float32, float64, float16 or bfloat16 `
      + '(or integer and bool storages, which are left out)';
  }
  return `refused global ${shown}: a state dict names only collections.OrderedDict, the torch._utils tensor rebuilders, `
    + 'torch storage types and _codecs.encode (nothing in the file was run)';
}
