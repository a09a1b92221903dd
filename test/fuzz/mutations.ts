/**
 * Mutations of a valid file, as small plain records (so a counterexample prints and shrinks as a
 * list of edits, not as the mutated bytes): byte flips, truncations, insertions, deletions,
 * duplicated regions and integer fields set to extremes; for JSON, values replaced by other types,
 * huge or negative numbers, 'NaN' strings, deep nesting, removed members.
 */
import fc from 'fast-check';

/** A place in the file: near the start or the end (where headers and directories are), or anywhere. */
export interface Pos { readonly from: 'start' | 'end'; readonly offset: number }

export type ByteOp =
  | { readonly op: 'flip'; readonly at: Pos; readonly xor: number }
  | { readonly op: 'set'; readonly at: Pos; readonly value: number }
  | { readonly op: 'truncate'; readonly at: Pos }
  | { readonly op: 'insert'; readonly at: Pos; readonly bytes: readonly number[] }
  | { readonly op: 'delete'; readonly at: Pos; readonly length: number }
  | { readonly op: 'duplicate'; readonly at: Pos; readonly length: number; readonly to: Pos }
  | { readonly op: 'int'; readonly at: Pos; readonly width: 1 | 2 | 4 | 8; readonly little: boolean; readonly value: bigint };

const pos: fc.Arbitrary<Pos> = fc.record({
  from: fc.constantFrom('start' as const, 'end' as const),
  offset: fc.oneof({ weight: 3, arbitrary: fc.nat({ max: 63 }) }, { weight: 1, arbitrary: fc.nat({ max: 1 << 20 }) }),
});

const extreme: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn),
  fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
);

/** Byte strings the readers look for: magic numbers, headers and opcodes of the formats. */
const MAGIC: readonly (readonly number[])[] = [
  [0x1f, 0x8b, 0x08, 0x00], [0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x01, 0x02], [0x50, 0x4b, 0x05, 0x06], [0x50, 0x4b, 0x06, 0x06],
  [0x80, 0x02], [0x80, 0x05], [0x93, ...Buffer.from('NUMPY'), 0x01, 0x00], [0x00, 0x00, 0x08, 0x03], [0x00, 0x00, 0x08, 0x01], [0x00, 0x00, 0x0d, 0x03],
  [...Buffer.from('cnumpy\nndarray\n')], [...Buffer.from('cos\nsystem\n')], [0x52], [0x62], [0x2e], [0x28], [0x71, 0x00], [0x68, 0xff], [0x4a, 0xff, 0xff, 0xff, 0x7f],
];

export const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: pos, bytes: fc.constantFrom(...MAGIC) }),
  fc.record({ op: fc.constant('flip' as const), at: pos, xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('set' as const), at: pos, value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff) }),
  fc.record({ op: fc.constant('truncate' as const), at: pos }),
  fc.record({ op: fc.constant('insert' as const), at: pos, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at: pos, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: pos, length: fc.integer({ min: 1, max: 512 }), to: pos }),
  fc.record({ op: fc.constant('int' as const), at: pos, width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const), little: fc.boolean(), value: extreme }),
);

export const byteOps: fc.Arbitrary<ByteOp[]> = fc.array(byteOp, { minLength: 1, maxLength: 4 });

function indexOf(at: Pos, length: number): number {
  if (length === 0) return 0;
  const offset = at.offset % length;
  return at.from === 'start' ? offset : length - 1 - offset;
}

/** `bytes` with one edit made (a new buffer; `bytes` is not changed). */
export function applyByteOp(bytes: Uint8Array, op: ByteOp): Buffer {
  const b = Buffer.from(bytes);
  const i = indexOf(op.at, b.length);
  switch (op.op) {
    case 'flip': if (b.length > 0) b[i] ^= op.xor; return b;
    case 'set': if (b.length > 0) b[i] = op.value; return b;
    case 'truncate': return b.subarray(0, i);
    case 'insert': return Buffer.concat([b.subarray(0, i), Buffer.from(op.bytes), b.subarray(i)]);
    case 'delete': return Buffer.concat([b.subarray(0, i), b.subarray(i + op.length)]);
    case 'duplicate': {
      const region = b.subarray(i, i + op.length);
      const to = indexOf(op.to, b.length);
      return Buffer.concat([b.subarray(0, to), region, b.subarray(to)]);
    }
    case 'int': {
      const field = Buffer.alloc(8);
      field.writeBigUInt64BE(op.value & 0xffffffffffffffffn);
      const value = field.subarray(8 - op.width);
      if (op.little) value.reverse();
      value.copy(b, i, 0, Math.min(op.width, b.length - i));
      return b;
    }
  }
}

export const applyByteOps = (bytes: Uint8Array, ops: readonly ByteOp[]): Buffer => ops.reduce<Buffer>((b, op) => applyByteOp(b, op), Buffer.from(bytes));

/** JSON text put in place of a value. */
const fragment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('null', 'true', 'false', '"NaN"', '"Infinity"', '"-1"', '"12"', '""', '[]', '{}', '-1', '0', '-0', '0.5', '1.5', '-2147483649',
    '4294967296', '9007199254740993', '1e308', '1e999', '-1e999', '1e-400', '[null]', '{"": null}', '"\\u001b[31mred"', '"\\n"'),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(40, 1000, 100_000).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.constantFrom(1000, 100_000).map((n) => `[${new Array<string>(n).fill('0').join(',')}]`),
  fc.constantFrom(10_000, 2_000_000).map((n) => JSON.stringify('x'.repeat(n))),
);

export type JsonOp =
  | { readonly op: 'replace'; readonly target: number; readonly with: string }
  | { readonly op: 'remove'; readonly target: number }
  | { readonly op: 'wrap'; readonly target: number; readonly depth: number }
  | { readonly op: 'bytes'; readonly edit: ByteOp };

const target = fc.nat();
export const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('replace' as const), target, with: fragment }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), target }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), target, depth: fc.constantFrom(1, 2, 33, 10_000) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('bytes' as const), edit: byteOp }) },
);

export const jsonOps: fc.Arbitrary<JsonOp[]> = fc.array(jsonOp, { minLength: 1, maxLength: 4 });

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = ReadonlyArray<string | number>;

function nodes(value: Json, path: Path = [], into: Path[] = []): Path[] {
  into.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, [...path, i], into));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) nodes(v, [...path, k], into);
  return into;
}

function at(root: Json, path: Path): Json {
  return path.reduce<Json>((v, key) => (v as Record<string | number, Json>)[key], root);
}

/** `text` (valid JSON) with the edits made: structural ones on the parsed value, then byte edits on the text. */
export function applyJsonOps(text: string, ops: readonly JsonOp[]): Buffer {
  let root = JSON.parse(text) as Json;
  const fragments: string[] = [];
  const placeholder = (fragmentText: string): string => `\u0000fuzz${fragments.push(fragmentText) - 1}\u0000`;
  const put = (path: Path, value: Json | undefined): void => {
    if (path.length === 0) { root = value ?? null; return; }
    const parent = at(root, path.slice(0, -1)) as Record<string | number, Json> & Json[];
    const key = path[path.length - 1];
    if (value !== undefined) parent[key] = value;
    else if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  };
  for (const op of ops) {
    if (op.op === 'bytes') continue;
    const all = nodes(root);
    const path = all[op.target % all.length];
    if (op.op === 'replace') put(path, placeholder(op.with));
    else if (op.op === 'remove') put(path, path.length === 0 ? placeholder('') : undefined);
    else put(path, placeholder(`${'['.repeat(op.depth)}${JSON.stringify(at(root, path)).replace(/"\\u0000fuzz(\d+)\\u0000"/g, (_, n) => fragments[Number(n)])}${']'.repeat(op.depth)}`));
  }
  const out = JSON.stringify(root, null, 1).replace(/"\\u0000fuzz(\d+)\\u0000"/g, (_, n: string) => fragments[Number(n)]);
  return applyByteOps(Buffer.from(out), ops.flatMap((op) => (op.op === 'bytes' ? [op.edit] : [])));
}
