/**
 * Pickles written opcode by opcode, for the tests of hostile files: each opcode as pickletools
 * names it, and a few helpers that write its argument.
 */
export const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
export const text = (s: string): number[] => [...Buffer.from(s, 'latin1')];

export const PROTO2 = [0x80, 2];
export const STOP = 0x2e, MARK = 0x28, POP = 0x30, EMPTY_DICT = 0x7d, EMPTY_LIST = 0x5d, NONE = 0x4e;
export const TUPLE = 0x74, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87, REDUCE = 0x52, BUILD = 0x62;
export const SETITEM = 0x73, SETITEMS = 0x75, DICT = 0x64, LIST = 0x6c, NEWTRUE = 0x88, NEWFALSE = 0x89;
export const global = (module: string, name: string): number[] => [0x63, ...text(`${module}\n${name}\n`)];
export const put = (i: number): number[] => [0x71, i];
export const get = (i: number): number[] => [0x68, i];
export const binint = (n: number): number[] => [0x4a, ...u32(n)];
export const shortUnicode = (s: string): number[] => [0x8c, s.length, ...text(s)];
export const unicode = (length: number, char = 'a'): Uint8Array => Uint8Array.from([0x58, ...u32(length), ...text(char.repeat(length))]);
export const shortBytes = (length: number): number[] => [0x43, length, ...new Array<number>(length).fill(0)];

export const pickle = (...parts: Array<number[] | Uint8Array | number>): Uint8Array =>
  Buffer.concat(parts.map((part) => Uint8Array.from(typeof part === 'number' ? [part] : part)));
export const repeat = (n: number, part: number[]): number[] => Array.from({ length: n }, () => part).flat();

/** A float32 dtype, memoised as `memo`: dtype('f4', False, True) with the state (3, '<'). */
export const dtypeF4 = (memo: number): number[] => [
  ...global('numpy', 'dtype'), ...shortUnicode('f4'), NEWFALSE, NEWTRUE, TUPLE3, REDUCE,
  0x4b, 3, ...shortUnicode('<'), TUPLE2, BUILD, ...put(memo),
];

/** _codecs.encode(text, 'latin1') called `calls` times on one memoised 64 KiB text: a 96 KB file that would make 131 MB. */
export const encodeBomb = (calls = 2000): Uint8Array => pickle(
  PROTO2, global('_codecs', 'encode'), put(0), unicode(65536), put(1),
  repeat(calls, [...get(0), ...get(1), ...shortUnicode('latin1'), TUPLE2, REDUCE, POP]),
  EMPTY_DICT, STOP,
);
