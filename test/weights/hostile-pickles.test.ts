/**
 * Pickles built to make memory from little: every string, bytes object and array unpickling makes
 * is charged to the one budget of the file (`maxBytes`), copies of one memoised value included,
 * and what would copy a container without an opcode paying for it is refused. Each case is small
 * on disk; without the budget most would make gigabytes.
 */
import test from 'ava';
import { InputError } from '../../src/errors.js';
import { parsePickleWeights } from '../../src/weights/pickle.js';
import {
  BUILD, DICT, EMPTY_DICT, EMPTY_LIST, LIST, MARK, NONE, POP, PROTO2, REDUCE, SETITEM, SETITEMS, STOP, TUPLE, TUPLE1,
  binint, dtypeF4, encodeBomb, get, global, pickle, put, repeat, shortBytes, shortUnicode, u32, unicode,
} from './pickle-builder.js';

const MiB = 2 ** 20;

const refuses = (t: import('ava').ExecutionContext, bytes: Uint8Array, maxBytes: number, problem: string): void => {
  t.throws(() => parsePickleWeights(bytes, 'hostile.pkl', { maxBytes }), { instanceOf: InputError, message: `hostile.pkl: ${problem}` });
};

test('one stored string turned into bytes by _codecs.encode thousands of times is counted every time', (t) => {
  // 64 KiB of text, then 2,000 calls encode(text, 'latin1'): a 96 KB file that would make 131 MB.
  const bytes = encodeBomb(2000);
  t.true(bytes.length < 100_000);
  // Charged: the two names of the global (13 bytes), the text (65,536), then 6 + 65,536 per call:
  // 254 calls fit in 16 MiB, the 255th call's copy does not. The calls start at byte 65,563, and
  // each is 15 bytes, its REDUCE the 14th.
  refuses(t, bytes, 16 * MiB, `unpickling takes more than the limit of ${16 * MiB} bytes (strings, bytes and arrays made by byte ${65563 + 254 * 15 + 14})`);
});

test('one stored str used as the data of many _frombuffer arrays is decoded to bytes, and counted, every time', (t) => {
  const bytes = pickle(
    PROTO2, global('numpy.core.numeric', '_frombuffer'), put(0), dtypeF4(1), unicode(65536 * 4, 'x'), put(2),
    binint(65536), TUPLE1, put(3),
    repeat(20, [...get(0), MARK, ...get(2), ...get(1), ...get(3), ...shortUnicode('C'), TUPLE, REDUCE, POP]),
    EMPTY_DICT, STOP,
  );
  t.true(bytes.length < 300_000);
  // The text (262,144) and two copies fit in 1 MiB with the names and codes; the third copy does not.
  const callBytes = 2 + 1 + 6 + 3 + 1 + 1 + 1; // get, MARK, three gets, 'C', TUPLE, REDUCE, POP
  const firstCall = bytes.length - 2 - 20 * callBytes;
  refuses(t, bytes, MiB, `unpickling takes more than the limit of ${MiB} bytes (strings, bytes and arrays made by byte ${firstCall + 2 * callBytes + 14})`);
});

test('one memoised array under many keys of the dict is claimed once per key', (t) => {
  // A 64-byte array made once, then 2,000 keys all pointing at it: 128,000 bytes of arrays.
  const keys = Array.from({ length: 2000 }, (_, i) => [...shortUnicode(`k${String(i).padStart(4, '0')}`), ...get(4)]).flat();
  const call = pickle(
    PROTO2, global('numpy.core.numeric', '_frombuffer'), put(0), MARK, shortBytes(64), dtypeF4(1), 0x4b, 16, TUPLE1,
    shortUnicode('C'), TUPLE, REDUCE, put(4), EMPTY_DICT, MARK, keys, SETITEMS, STOP,
  );
  // Strings charged: the global's names (29), 'numpy', 'dtype', 'f4', '<' and 'C' (14), the 2,000
  // keys (5 bytes each, all on the stack before SETITEMS): 10,043 bytes. Then 64 bytes of array per
  // key: 867 fit in 64 KiB, the 868th (k0867) does not.
  refuses(t, call, 65536, 'k0867 takes the arrays to 55552 bytes, over the limit of 65536 bytes with the 10043 bytes of strings and bytes the pickle made');
  t.is(parsePickleWeights(call, 'hostile.pkl', { maxBytes: 2000 * 64 + 10043 }).size, 2000);
});

test('a list of huge strings is counted string by string', (t) => {
  // 20 strings of 100,000 characters, each read from the file: refused at the 11th with 1 MiB.
  const strings = Array.from({ length: 20 }, () => unicode(100_000));
  const bytes = pickle(PROTO2, MARK, ...strings, LIST, POP, EMPTY_DICT, STOP);
  refuses(t, bytes, MiB, `unpickling takes more than the limit of ${MiB} bytes (strings, bytes and arrays made by byte ${3 + 10 * 100_005 + 5})`);
});

test('BUILD of a memoised state into fresh dicts and lists is refused: it would copy the state each time', (t) => {
  // state = {'__dict__': {0: None, 1: None, …}}: BUILD would copy every entry into each new dict.
  const entries = Array.from({ length: 1000 }, (_, i) => [...binint(i), NONE]).flat();
  const state = [EMPTY_DICT, ...shortUnicode('__dict__'), EMPTY_DICT, MARK, ...entries, SETITEMS, SETITEM, ...put(0)];
  const refusal = (at: number) => `corrupt pickle, BUILD or a conversion of a container before byte ${at}, which only numpy arrays and dtypes may take`;
  const intoDict = pickle(PROTO2, state, POP, repeat(1000, [EMPTY_DICT, ...get(0), BUILD, POP]), EMPTY_DICT, STOP);
  const first = 2 + state.length + 1 + 4;
  refuses(t, intoDict, 16 * MiB, refusal(first));
  const intoList = pickle(PROTO2, state, POP, repeat(1000, [EMPTY_LIST, ...get(0), BUILD, POP]), EMPTY_DICT, STOP);
  refuses(t, intoList, 16 * MiB, refusal(first));
});

test('a dict key that is a list (DICT would turn it into a string of all its items) is refused', (t) => {
  // Nested lists, each twice the one before: as a string, the 30th would be 2^30 times the first.
  const nested = [EMPTY_LIST, ...shortUnicode('x'.repeat(200)), 0x61, ...put(0),
    ...Array.from({ length: 30 }, (_, i) => [EMPTY_LIST, ...get(i), 0x61, ...get(i), 0x61, ...put(i + 1)]).flat()];
  const bytes = pickle(PROTO2, MARK, nested, NONE, DICT, STOP);
  refuses(t, bytes, 16 * MiB, `corrupt pickle, BUILD or a conversion of a container before byte ${bytes.length - 1}, which only numpy arrays and dtypes may take`);
});

test('a LONG4 integer is refused before it is read (pickleparser takes time quadratic in its length)', (t) => {
  const bytes = pickle(PROTO2, 0x8b, u32(1_000_000), new Uint8Array(1_000_000), POP, EMPTY_DICT, STOP);
  refuses(t, bytes, 16 * MiB, 'corrupt pickle, a LONG4 integer of 1000000 bytes before byte 7, which numpy arrays never hold');
});

test('the traps are gone once a parse ends, whether it failed or not', (t) => {
  t.throws(() => parsePickleWeights(pickle(PROTO2, EMPTY_LIST, EMPTY_DICT, BUILD, STOP), 'hostile.pkl'), { instanceOf: InputError });
  t.is(`${[1, [2, 3]]}`, '1,2,3');
  t.false('__setstate__' in {});
});

test('a dict of 100,000 keys and no arrays names ten of them, on a line of normal length', (t) => {
  const entries = Array.from({ length: 100_000 }, (_, i) => [...binint(i), NONE]).flat();
  const bytes = pickle(PROTO2, EMPTY_DICT, MARK, entries, SETITEMS, STOP);
  refuses(t, bytes, 16 * MiB, 'the dict holds no numpy float arrays (keys: <number>, <number>, <number>, <number>, <number>, <number>, <number>, <number>, <number>, <number> … and 99990 more)');
});
