import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import test from 'ava';
import fc from 'fast-check';
import { InputError } from '../../src/errors.js';
import type { WeightArrays } from '../../src/weights/nd-array.js';
import { loadPickleWeights, parsePickleWeights } from '../../src/weights/pickle.js';
import {
  SAMPLE_WEIGHT, SIMPLE_CONVNET, asFloat32, at, digestOf, expectedArrays, weightFixture, weightFixtures,
} from '../helpers/weight-fixtures.js';
import { needsData } from '../helpers/data-dir.js';

needsData(test);

test('sample_weight.pkl loads the 784-50-100-10 network in file order with numpy shapes', async (t) => {
  const arrays = await loadPickleWeights(SAMPLE_WEIGHT);
  t.deepEqual([...arrays.keys()], ['b2', 'W1', 'b1', 'W2', 'W3', 'b3']);
  t.deepEqual(Object.fromEntries([...arrays].map(([key, a]) => [key, [a.dtype, ...a.shape]])), {
    W1: ['float32', 784, 50], b1: ['float32', 50],
    W2: ['float32', 50, 100], b2: ['float32', 100],
    W3: ['float32', 100, 10], b3: ['float32', 10],
  });
});

test('sample_weight.pkl values are numpy\'s, read from Fortran order', async (t) => {
  const arrays = await loadPickleWeights(SAMPLE_WEIGHT);
  const W1 = arrays.get('W1')!;
  // repr(float(W1[i, j])) printed by numpy
  t.is(at(W1, 0, 0), -0.007412489037960768);
  t.is(at(W1, 783, 49), -0.040211476385593414);
  t.is(at(W1, 5, 3), 0.01898401789367199);
  t.is(at(W1, 400, 17), -0.14934107661247253);
  t.is(at(arrays.get('b1')!, 0), -0.06750315427780151);
  t.is(at(arrays.get('W2')!, 49, 99), 0.009080098010599613);
  t.is(at(arrays.get('W3')!, 0, 9), 0.027598470449447632);
  t.is(at(arrays.get('b3')!, 9), 0.053233496844768524);
});

test('sample_weight.pkl is bit for bit what numpy reads', async (t) => {
  const arrays = await loadPickleWeights(SAMPLE_WEIGHT);
  const numpy = (await expectedArrays())['sample-p3.pkl'];
  for (const [key, a] of arrays) t.is(digestOf(a), numpy[key].sha256, key);
});

test('simple_convnet_params.pkl loads the ch. 7 convnet as float64', async (t) => {
  const arrays = await loadPickleWeights(SIMPLE_CONVNET);
  t.deepEqual(Object.fromEntries([...arrays].map(([key, a]) => [key, [a.dtype, ...a.shape]])), {
    W1: ['float64', 30, 1, 5, 5], b1: ['float64', 30],
    W2: ['float64', 4320, 100], b2: ['float64', 100],
    W3: ['float64', 100, 10], b3: ['float64', 10],
  });
  const W1 = arrays.get('W1')!;
  t.is(at(W1, 0, 0, 0, 0), 0.029043125307097867);
  t.is(at(W1, 29, 0, 4, 4), 0.07069916923024308);
  t.is(at(W1, 7, 0, 2, 3), 0.05294620977484769);
  t.is(at(arrays.get('W2')!, 4319, 99), 0.0420776218305481);
  t.is(at(arrays.get('W2')!, 100, 5), -0.0022058262836848813);
});

const sampleVariants = [
  'sample-p2.pkl', 'sample-p3.pkl', 'sample-p4.pkl', 'sample-p5.pkl',
  'sample-c.pkl', 'sample-fortran.pkl', 'sample-f64.pkl',
  'sample-be.pkl', 'sample-be-p2.pkl', 'sample-be-p5.pkl', 'sample-be-f64-c-p5.pkl',
  'sample-ordered-p2.pkl', 'sample-ordered-p5.pkl', 'sample-py2.pkl',
];

for (const name of sampleVariants) {
  test(`${name} holds the sample network, bit for bit`, async (t) => {
    const original = asFloat32(await loadPickleWeights(SAMPLE_WEIGHT));
    const arrays = await loadPickleWeights(await weightFixture(name));
    t.deepEqual(asFloat32(arrays), original);
    const numpy = (await expectedArrays())[name];
    for (const [key, a] of arrays) {
      t.is(a.dtype, numpy[key].dtype, key);
      t.is(digestOf(a), numpy[key].sha256, key);
    }
  });
}

for (const name of ['mlp-relu.pkl', 'mlp4.pkl', 'tiny.pkl', 'tiny-p2.pkl', 'tiny-p5.pkl']) {
  test(`${name} matches numpy`, async (t) => {
    const arrays = await loadPickleWeights(await weightFixture(name));
    const numpy = (await expectedArrays())[name];
    t.deepEqual([...arrays.keys()].sort(), Object.keys(numpy).sort());
    for (const [key, a] of arrays) t.deepEqual([a.dtype, a.shape, digestOf(a)], [numpy[key].dtype, numpy[key].shape, numpy[key].sha256], key);
  });
}

const malicious: Array<[string, string, string]> = [
  ['evil-os-system.pkl', 'os.system', 'marker-os-system'],
  ['evil-inst.pkl', 'os.system', 'marker-inst'],
  ['evil-posix.pkl', 'posix.system', 'marker-posix'],
  ['evil-eval.pkl', 'builtins.eval', 'marker-eval'],
  ['evil-popen.pkl', 'subprocess.Popen', 'marker-popen'],
];

for (const [name, global, marker] of malicious) {
  test(`${name} is refused, naming ${global}, and runs nothing`, async (t) => {
    await t.throwsAsync(loadPickleWeights(await weightFixture(name)), {
      instanceOf: InputError,
      message: `${name}: refused to load global ${global} (only numpy array globals are allowed)`,
    });
    t.false(existsSync(await weightFixture(marker)));
  });
}

const broken: Array<[string, string]> = [
  ['truncated.pkl', 'truncated pickle, it ends at byte 90926 before its STOP opcode'],
  ['not-a-pickle.pkl', 'not a pickle of protocol 2 to 5, expected the PROTO opcode 0x80 first, got 0x57'],
  ['protocol-0.pkl', 'not a pickle of protocol 2 to 5, expected the PROTO opcode 0x80 first, got 0x28'],
  ['protocol-6.pkl', 'unsupported pickle protocol 6, expected 2 to 5'],
  ['empty.pkl', 'empty file, expected a weight file'],
  ['int64.pkl', "W1 has unsupported dtype int64 ('<i8'), expected float32 or float64"],
  ['float16.pkl', "b1 has unsupported dtype float16 ('<f2'), expected float32 or float64"],
  ['nan.pkl', 'W2 contains NaN at [3, 7]'],
  ['inf.pkl', 'b1 contains -Infinity at [1]'],
  ['list.pkl', 'expected a dict of numpy arrays at the top level, got a list or tuple'],
  ['array.pkl', 'expected a dict of numpy arrays at the top level, got a numpy array'],
  ['no-arrays.pkl', 'the dict holds no numpy float arrays (keys: epochs, lr)'],
  ['out-of-band.pkl', 'pickle refers to out-of-band buffers (protocol 5 buffer_callback), which a file does not hold'],
];

for (const [name, problem] of broken) {
  test(`${name} is refused: ${problem}`, async (t) => {
    await t.throwsAsync(loadPickleWeights(await weightFixture(name)), { instanceOf: InputError, message: `${name}: ${problem}` });
  });
}

test('a missing pickle is an InputError', async (t) => {
  await t.throwsAsync(loadPickleWeights(`${await weightFixtures()}/missing.pkl`), {
    instanceOf: InputError, message: 'missing.pkl: cannot read the weight file, no such file',
  });
});

test('hand-made broken opcode streams give one-line errors', (t) => {
  const cases: Array<[number[], string]> = [
    [[0x80], 'truncated pickle, it ends at byte 1 before its STOP opcode'],
    [[0x80, 0x04, 0x7d], 'truncated pickle, it ends at byte 3 before its STOP opcode'],
    [[0x80, 0x04, 0xff, 0x2e], 'corrupt pickle, unknown opcode 0xff at byte 2'],
    [[0x80, 0x04, 0x52, 0x2e], 'corrupt pickle, invalid opcode sequence before byte 3'],
    [[0x80, 0x05, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x7f], 'corrupt pickle, an 8-byte length is larger than any file'],
    [[0x80, 0x02, 0x63, ...Buffer.from('numpy\nndarray\n'), 0x29, 0x52, 0x2e], 'corrupt pickle, numpy.ndarray is called directly'],
    [[0x80, 0x02, 0x81], 'corrupt pickle, invalid opcode sequence before byte 3'],
  ];
  for (const [bytes, problem] of cases) {
    t.throws(() => parsePickleWeights(Uint8Array.from(bytes), 'x.pkl'), { instanceOf: InputError, message: `x.pkl: ${problem}` });
  }
});

test('a global named with control characters is refused on one line', (t) => {
  const bytes = Uint8Array.from([0x80, 0x04, 0x8c, 3, ...Buffer.from('o\rs'), 0x8c, 6, ...Buffer.from('system'), 0x93, 0x2e]);
  t.throws(() => parsePickleWeights(bytes, 'x.pkl'), {
    message: 'x.pkl: refused to load global o\\x0ds.system (only numpy array globals are allowed)',
  });
});

test('values that are not arrays are left out', async (t) => {
  const arrays = await loadPickleWeights(await weightFixture('mixed.pkl'));
  t.deepEqual([...arrays.keys()], ['W1']);
  t.deepEqual(arrays.get('W1')!.shape, [3, 2]);
});

test('a pickle at an odd byte offset in a shared buffer reads the same, copying the unaligned data', async (t) => {
  const file = await readFile(await weightFixture('sample-p4.pkl'));
  const pool = new Uint8Array(file.length + 7);
  pool.set(file, 3);
  const shifted = pool.subarray(3, 3 + file.length);
  const arrays = parsePickleWeights(shifted, 'sample-p4.pkl');
  t.deepEqual(asFloat32(arrays), asFloat32(parsePickleWeights(new Uint8Array(file), 'sample-p4.pkl')));
  for (const a of arrays.values()) t.is(a.data.byteOffset % a.data.BYTES_PER_ELEMENT, 0);
});

test('maxBytes refuses an array before decoding it, and the running total too', async (t) => {
  const bytes = await readFile(SAMPLE_WEIGHT);
  t.throws(() => parsePickleWeights(bytes, 'sample_weight.pkl', { maxBytes: 100_000 }), {
    instanceOf: InputError,
    message: 'sample_weight.pkl: W1 declares 156800 bytes (shape (784, 50), float32), over the limit of 100000 bytes',
  });
  t.throws(() => parsePickleWeights(bytes, 'sample_weight.pkl', { maxBytes: 157_000 }), {
    instanceOf: InputError,
    message: 'sample_weight.pkl: W1 takes the arrays to 157200 bytes, over the limit of 157000 bytes',
  });
  // The arrays and the 70 bytes of strings unpickling makes (global names, keys, dtype codes) share the limit.
  const arrays = 4 * (784 * 50 + 50 + 5000 + 100 + 1000 + 10);
  t.throws(() => parsePickleWeights(bytes, 'sample_weight.pkl', { maxBytes: arrays }), {
    instanceOf: InputError,
    message: `sample_weight.pkl: W3 takes the arrays to 181400 bytes, over the limit of ${arrays} bytes with the 70 bytes of strings and bytes the pickle made`,
  });
  t.is(parsePickleWeights(bytes, 'sample_weight.pkl', { maxBytes: arrays + 70 }).size, 6);
});

/** Checks what a mangled pickle gave back is well formed: consistent shapes and finite values. */
function wellFormed(arrays: WeightArrays): boolean {
  return [...arrays.values()].every((a) =>
    a.data.length === a.shape.reduce((n, d) => n * d, 1)
    && (a.dtype === 'float32' ? a.data instanceof Float32Array : a.data instanceof Float64Array)
    && a.data.every(Number.isFinite));
}

test('random truncations give the arrays or an InputError, nothing else', async (t) => {
  for (const name of ['tiny.pkl', 'tiny-p2.pkl', 'tiny-p5.pkl']) {
    const bytes = new Uint8Array(await readFile(await weightFixture(name)));
    const whole = asFloat32(parsePickleWeights(bytes, name));
    fc.assert(fc.property(fc.integer({ min: 0, max: bytes.length }), (length) => {
      try {
        const arrays = parsePickleWeights(bytes.slice(0, length), name);
        return length === bytes.length && JSON.stringify([...asFloat32(arrays)]) === JSON.stringify([...whole]);
      } catch (error) {
        return error instanceof InputError && length < bytes.length && !error.message.includes('\n');
      }
    }), { numRuns: 500 });
  }
  t.pass();
});

test('random byte flips give well-formed arrays or an InputError, never a crash', async (t) => {
  for (const name of ['tiny.pkl', 'tiny-p2.pkl', 'tiny-p5.pkl']) {
    const bytes = new Uint8Array(await readFile(await weightFixture(name)));
    const flip = fc.record({ at: fc.nat({ max: bytes.length - 1 }), mask: fc.integer({ min: 1, max: 255 }) });
    fc.assert(fc.property(fc.array(flip, { minLength: 1, maxLength: 4 }), (flips) => {
      const mangled = bytes.slice();
      for (const { at: i, mask } of flips) mangled[i] ^= mask;
      try {
        return wellFormed(parsePickleWeights(mangled, name));
      } catch (error) {
        return error instanceof InputError && !error.message.includes('\n');
      }
    }), { numRuns: 3000 });
  }
  t.pass();
});

test('a negative BINBYTES length is refused, not followed backwards (found by fast-check: it looped until memory ran out)', async (t) => {
  const bytes = new Uint8Array(await readFile(await weightFixture('tiny-p2.pkl')));
  const at = bytes.indexOf(0x4e, 180); // the first NONE of the dtype state, which the flip turns into BINBYTES
  const mangled = bytes.slice();
  mangled[at] ^= 0x0c;
  t.is(mangled[at], 0x42);
  t.throws(() => parsePickleWeights(mangled, 'tiny-p2.pkl'), { instanceOf: InputError, message: /^tiny-p2\.pkl: corrupt pickle, negative length -\d+ at byte \d+$/ });
});

test('a dict whose keys a corruption turned into functions is refused on one line (found by fast-check)', async (t) => {
  const bytes = new Uint8Array(await readFile(await weightFixture('tiny-p2.pkl')));
  const mangled = bytes.slice();
  mangled[103] ^= 212;
  mangled[107] ^= 1;
  const error = t.throws(() => parsePickleWeights(mangled, 'tiny-p2.pkl'), { instanceOf: InputError });
  t.false(error?.message.includes('\n'));
  t.regex(error?.message ?? '', /^tiny-p2\.pkl: the dict holds no numpy float arrays \(keys: W1, <function>/);
});
