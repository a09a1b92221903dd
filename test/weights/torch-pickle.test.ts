/**
 * The state dict's allowlist: every global outside it is refused by name when the pickle names it
 * (GLOBAL, STACK_GLOBAL or INST), before anything after it is read; a whole model gets the way
 * out; persistent ids of any other shape, and the rebuilders given the wrong things, are refused.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { readTorchZip } from '../../src/weights/torch/torch-zip.js';
import { BUILD, MARK, NONE, PROTO2, REDUCE, STOP, TUPLE, TUPLE2, binint, global, pickle, shortUnicode } from './pickle-builder.js';
import { BINPERSID, EMPTY_TUPLE, type FakeTensor, f32, stateDictPickle, str, torchZip, writeSource } from './torch-builder.js';

const W: FakeTensor = { name: 'fc.weight', key: '0', numel: 6, size: [2, 3] };
const storages = { 0: f32([1, 2, 3, 4, 5, 6]) };

const refuses = async (t: ExecutionContext, pkl: Uint8Array, problem: string) => {
  await t.throwsAsync(readTorchZip(writeSource('model.pt', torchZip(pkl, storages))), { instanceOf: InputError, message: `model.pt: ${problem}` });
};

const WHOLE_MODEL = 'the file is a whole model pickled with torch.save(model), not a state dict; save model.state_dict() instead, or export the model to ONNX (nothing in the file was run)';
const NOT_ALLOWED = 'a state dict names only collections.OrderedDict, the torch._utils tensor rebuilders, torch storage types and _codecs.encode (nothing in the file was run)';

const refusals: Array<[string, string, string]> = [
  ['os', 'system', `refused global os.system: ${NOT_ALLOWED}`],
  ['builtins', 'eval', `refused global builtins.eval: ${NOT_ALLOWED}`],
  ['torch', 'load', `refused global torch.load: ${NOT_ALLOWED}`],
  ['torch._utils', '_rebuild_tensor_v3', `refused global torch._utils._rebuild_tensor_v3: ${NOT_ALLOWED}`],
  ['numpy.core.multiarray', '_reconstruct', `refused global numpy.core.multiarray._reconstruct: ${NOT_ALLOWED}`],
  ['torch.nn.modules.linear', 'Linear', `refused global torch.nn.modules.linear.Linear: ${WHOLE_MODEL}`],
  ['torch.nn.parameter', 'Parameter', `refused global torch.nn.parameter.Parameter: ${WHOLE_MODEL}`],
  ['__main__', 'Net', `refused global __main__.Net: ${WHOLE_MODEL}`],
  ['__builtin__', 'set', `refused global __builtin__.set: ${WHOLE_MODEL}`],
  ['builtins', 'set', `refused global builtins.set: ${WHOLE_MODEL}`],
  ['torch', 'ComplexFloatStorage', 'refused global torch.ComplexFloatStorage: a storage type mnist-eval cannot read, expected float32, float64, float16 or bfloat16 (or integer and bool storages, which are left out)'],
];

for (const [module, name, problem] of refusals) {
  test(`${module}.${name} is refused by name`, async (t) => {
    // As the tensor's rebuild function, the way an attack would hide it in a state dict.
    await refuses(t, stateDictPickle([{ ...W, rebuild: [module, name] }]), problem);
  });
}

test('a refused global stops the parse where it is named: nothing after it is read', async (t) => {
  // No STOP, and garbage after the global: the refusal comes first.
  await refuses(t, pickle(PROTO2, global('os', 'system'), 0xff, 0xff), `refused global os.system: ${NOT_ALLOWED}`);
  // STACK_GLOBAL (protocol 4) and INST name globals too.
  await refuses(t, pickle(PROTO2, shortUnicode('posix'), shortUnicode('system'), 0x93, STOP), `refused global posix.system: ${NOT_ALLOWED}`);
  await refuses(t, pickle(PROTO2, MARK, 0x69, [...Buffer.from('subprocess\nPopen\n')], STOP), `refused global subprocess.Popen: ${NOT_ALLOWED}`);
});

test('a global named with control characters is named escaped, on one line', async (t) => {
  await refuses(t, pickle(PROTO2, shortUnicode('os\r'), shortUnicode('sys\x1btem'), 0x93, STOP), `refused global os\\x0d.sys\\x1btem: ${NOT_ALLOWED}`);
});

const storageId = (...items: number[][]) => [MARK, ...items.flat(), TUPLE];
const PID = "('storage', <storage type>, key, location, numel)";
const pids: Array<[string, number[], (at: number) => string]> = [
  ['four items', storageId(str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu')), (at) => `the persistent id before byte ${at} is not ${PID}`],
  ['six items (the legacy shape, in a zip)', storageId(str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), binint(6), [NONE]), (at) => `the persistent id before byte ${at} is not ${PID}`],
  ["a 'module' id", storageId(str('module'), global('torch', 'FloatStorage'), str('0'), str('cpu'), binint(6)), (at) => `the persistent id before byte ${at} is not ${PID}`],
  ['a str for the storage type', storageId(str('storage'), str('FloatStorage'), str('0'), str('cpu'), binint(6)), (at) => `the persistent id before byte ${at} is not ${PID}`],
  ['a negative numel', storageId(str('storage'), global('torch', 'FloatStorage'), str('0'), str('cpu'), binint(-6)), (at) => `the persistent id before byte ${at} is not ${PID}`],
  ['a key that is a path', storageId(str('storage'), global('torch', 'FloatStorage'), str('../0'), str('cpu'), binint(6)), (at) => `storage key '../0' before byte ${at} is not a plain name`],
];

for (const [title, pid, problem] of pids) {
  test(`a persistent id with ${title} is refused`, async (t) => {
    // Where the parse is once BINPERSID is read: after PROTO, the OrderedDict, MARK, the name, the rebuilder, MARK and the id.
    const at = 2 + global('collections', 'OrderedDict').length + 3 + str(W.name).length + global('torch._utils', '_rebuild_tensor_v2').length + 1 + pid.length + 1;
    await refuses(t, stateDictPickle([{ ...W, pid }]), `corrupt pickle, ${problem(at)}`);
  });
}

test('a persistent id that is a string (PERSID), or outside any tensor, is not a storage', async (t) => {
  await refuses(t, pickle(PROTO2, 0x50, [...Buffer.from('0\n')], STOP), `corrupt pickle, the persistent id before byte 5 is not ${PID}`);
});

test('the rebuilders check what they are given', async (t) => {
  const rebuild = (...args: number[][]) => pickle(PROTO2, global('torch._utils', '_rebuild_tensor_v2'), MARK, ...args, TUPLE, REDUCE, STOP);
  await refuses(t, rebuild([NONE], binint(0), [EMPTY_TUPLE], [EMPTY_TUPLE], [0x89], [EMPTY_TUPLE]), 'corrupt pickle, _rebuild_tensor of something other than a storage');
  await refuses(t, pickle(PROTO2, global('collections', 'OrderedDict'), MARK, str('a'), binint(1), TUPLE2, 0x85, TUPLE, REDUCE, STOP),
    'corrupt pickle, collections.OrderedDict is called with items, which torch never writes');
  await refuses(t, pickle(PROTO2, global('torch._utils', '_rebuild_parameter'), MARK, NONE, 0x89, NONE, TUPLE, REDUCE, STOP),
    'corrupt pickle, _rebuild_parameter of something other than a tensor');
  await refuses(t, pickle(PROTO2, global('_codecs', 'encode'), MARK, str('x'), str('rot13'), TUPLE, REDUCE, STOP), 'corrupt pickle, _codecs.encode is only allowed for latin1 bytes');
});

test('_rebuild_tensor (4 arguments) and _rebuild_parameter around a tensor are read like _rebuild_tensor_v2', async (t) => {
  // The builder's call passes requires_grad and the hooks too, which _rebuild_tensor does not take.
  await refuses(t, stateDictPickle([{ ...W, rebuild: ['torch._utils', '_rebuild_tensor'] }]), 'corrupt pickle, _rebuild_tensor takes 4 arguments');
  const body = (tensor: number[]) => pickle(PROTO2, global('collections', 'OrderedDict'), EMPTY_TUPLE, REDUCE, str('w'), tensor, 0x73, STOP);
  const storage = [MARK, ...str('storage'), ...global('torch', 'FloatStorage'), ...str('0'), ...str('cpu'), ...binint(6), TUPLE, BINPERSID];
  const shape = [MARK, ...binint(6), TUPLE, MARK, ...binint(1), TUPLE];
  const tensor = [...global('torch._utils', '_rebuild_tensor'), MARK, ...storage, ...binint(0), ...shape, TUPLE, REDUCE];
  const read = async (pkl: Uint8Array) => [...(await readTorchZip(writeSource('model.pt', torchZip(pkl, storages)))).arrays.get('w')!.data];
  t.deepEqual(await read(body(tensor)), [1, 2, 3, 4, 5, 6]);
  const parameter = [...global('torch._utils', '_rebuild_parameter'), MARK, ...tensor, 0x88, ...global('collections', 'OrderedDict'), EMPTY_TUPLE, REDUCE, TUPLE, REDUCE];
  t.deepEqual(await read(body(parameter)), [1, 2, 3, 4, 5, 6]);
});

test('BUILD is taken by the OrderedDict only: on a tensor it is refused', async (t) => {
  const storage = [MARK, ...str('storage'), ...global('torch', 'FloatStorage'), ...str('0'), ...str('cpu'), ...binint(6), TUPLE, BINPERSID];
  const tensor = [...global('torch._utils', '_rebuild_tensor'), MARK, ...storage, ...binint(0), MARK, ...binint(6), TUPLE, MARK, ...binint(1), TUPLE, TUPLE, REDUCE];
  const built = pickle(PROTO2, tensor, 0x7d, BUILD, STOP);
  await refuses(t, built, `corrupt pickle, BUILD or a conversion of a container before byte ${built.length - 1}, which only a state dict's OrderedDict may take`);
});

test('a top level that is not a dict is not a state dict', async (t) => {
  await refuses(t, pickle(PROTO2, MARK, TUPLE, STOP), 'expected a state dict (a dict of tensors) at the top level, got a list or tuple');
  await refuses(t, pickle(PROTO2, NONE, STOP), 'expected a state dict (a dict of tensors) at the top level, got None');
});

test('extension codes and out-of-band buffers are refused', async (t) => {
  await refuses(t, pickle(PROTO2, 0x82, 7, STOP), 'refused extension code 7 (a state dict names its globals)');
  await refuses(t, pickle([0x80, 5], 0x97, STOP), 'pickle refers to out-of-band buffers (protocol 5 buffer_callback), which a file does not hold');
});

test('a truncated data.pkl says so', async (t) => {
  const pkl = stateDictPickle([W]);
  await refuses(t, pkl.subarray(0, 100), 'truncated pickle, it ends at byte 100 before its STOP opcode');
});

/**
 * Python's own pickler writing a state dict as torch does (a stand-in `torch` module supplies the
 * names; torch itself is not installed), at protocols 2 to 5: MEMOIZE, STACK_GLOBAL and FRAME
 * from 4 on.
 */
const PYTHON_STATE_DICT = `
import pickle, sys, types, collections, io
torch = types.ModuleType('torch'); sys.modules['torch'] = torch
utils = types.ModuleType('torch._utils'); sys.modules['torch._utils'] = utils; torch._utils = utils
class FloatStorage: pass
FloatStorage.__module__ = 'torch'; torch.FloatStorage = FloatStorage
def _rebuild_tensor_v2(*args): pass
_rebuild_tensor_v2.__module__ = 'torch._utils'; utils._rebuild_tensor_v2 = _rebuild_tensor_v2
class Storage:
    def __init__(self, key, numel): self.key, self.numel = key, numel
class Tensor:
    def __init__(self, storage, offset, size, stride): self.args = (storage, offset, size, stride)
    def __reduce_ex__(self, protocol): return (_rebuild_tensor_v2, (*self.args, False, collections.OrderedDict()))
class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return ('storage', FloatStorage, obj.key, 'cpu', obj.numel) if isinstance(obj, Storage) else None
sd = collections.OrderedDict()
storage = Storage('0', 6)
sd['fc.weight'] = Tensor(storage, 0, (2, 3), (3, 1))
sd['fc.weight_t'] = Tensor(storage, 0, (3, 2), (1, 3))
sd._metadata = collections.OrderedDict([('', {'version': 1}), ('fc', {'version': 1})])
out = io.BytesIO()
Pickler(out, protocol=int(sys.argv[1])).dump(sd)
sys.stdout.write(out.getvalue().hex())
`;

for (const protocol of [2, 3, 4, 5]) {
  test(`a state dict written by Python's pickler at protocol ${protocol} reads the same`, async (t) => {
    const { stdout } = await promisify(execFile)('python3', ['-c', PYTHON_STATE_DICT, String(protocol)]);
    const weights = await readTorchZip(writeSource('model.pt', torchZip(Buffer.from(stdout, 'hex'), storages)));
    t.deepEqual(Object.fromEntries([...weights.arrays].map(([key, a]) => [key, [[...a.shape], [...a.data]]])), {
      'fc.weight': [[2, 3], [1, 2, 3, 4, 5, 6]],
      'fc.weight_t': [[3, 2], [1, 4, 2, 5, 3, 6]],
    });
  });
}
