/**
 * The HDF5 reader bounded in time and memory: jsfive's B-tree reader keeps no record of visited
 * nodes, so the file is read in a thread with a heap limit and a deadline. The hostile files are
 * the real ch03.weights.h5 and the .keras's model.weights.h5 with B-tree nodes appended after
 * their end and the root group's B-tree address pointed at them: a node that points at itself, and
 * a fan-out of 255 levels whose two entries both point at the level below (2^255 nodes to read,
 * every one kept). Limits are passed small here (a short deadline, a small heap) so each refusal
 * comes quickly; what the test asserts is the exact error, never how long it took. The bombs run
 * one at a time (serial), so that no more than one thread fills its heap at once.
 */
import test, { type ExecutionContext } from 'ava';
import { InputError } from '../../src/errors.js';
import { DEFAULT_MAX_BYTES } from '../../src/weights/decode-array.js';
import { openHdf5, type Hdf5Options } from '../../src/weights/keras/hdf5.js';
import type { Hdf5GroupEntry } from '../../src/weights/keras/hdf5-snapshot.js';
import { defaultHeapMib } from '../../src/weights/keras/hdf5-thread.js';
import { walkHdf5 } from '../../src/weights/keras/hdf5-walk.js';
import { readKerasArchive } from '../../src/weights/keras/keras-archive.js';
import { readKerasH5 } from '../../src/weights/keras/keras-h5.js';
import { FORMATS_DIR, needsData } from '../helpers/data-dir.js';
import { offsetOf, real, storedZip, written, zipEntries, type Source } from './keras-fixtures.js';

needsData(test);

const UNDEFINED_ADDRESS = 2n ** 64n - 1n;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A version 1 B-tree node of a group (type 0) at `level` whose `entries` all point at `child`. */
function treeNode(level: number, entries: number, child: number): Buffer {
  const node = Buffer.alloc(24 + 16 * entries + 8);
  node.write('TREE', 0, 'latin1');
  node.writeUInt8(0, 4);
  node.writeUInt8(level, 5);
  node.writeUInt16LE(entries, 6);
  node.writeBigUInt64LE(UNDEFINED_ADDRESS, 8);
  node.writeBigUInt64LE(UNDEFINED_ADDRESS, 16);
  for (let i = 0; i < entries; i++) node.writeBigUInt64LE(BigInt(child), 24 + 16 * i + 8);
  return node;
}

/**
 * `bytes` with nodes appended (`nodes(end)` builds them for the address they start at) and the
 * root group's B-tree address (in the superblock's root entry and the root's symbol table message,
 * the places within the first 256 bytes that hold the first node's address) pointed at `top(end)`.
 */
function withRootTree(bytes: Uint8Array, nodes: (end: number) => Buffer[], top: (end: number) => number): Uint8Array {
  const file = Buffer.from(bytes);
  const tree = offsetOf(file, text('TREE'));
  const grown = Buffer.concat([file, ...nodes(file.length)]);
  let patched = 0;
  for (let at = 0; at + 8 <= 256; at++) {
    if (grown.readBigUInt64LE(at) === BigInt(tree)) {
      grown.writeBigUInt64LE(BigInt(top(file.length)), at);
      patched++;
    }
  }
  if (patched !== 2) throw new Error(`expected the root B-tree's address twice in the first 256 bytes, found it ${patched} times`);
  return new Uint8Array(grown);
}

/** A level 1 node whose one entry is itself. */
const selfPointing = (bytes: Uint8Array) => withRootTree(bytes, (end) => [treeNode(1, 1, end)], (end) => end);

/** Levels 1 … 255, each node's two entries both pointing at the node of the level below (level 0: the real root node). */
function fanOut(bytes: Uint8Array): Uint8Array {
  const levels = 255;
  const size = treeNode(1, 2, 0).length;
  return withRootTree(bytes, (end) => Array.from({ length: levels }, (_, i) => treeNode(i + 1, 2, i === 0 ? offsetOf(bytes, text('TREE')) : end + (i - 1) * size)), (end) => end + (levels - 1) * size);
}

const weightsH5 = () => real('ch03.weights.h5');
const bomb = () => written('fan-out.weights.h5', fanOut(weightsH5().bytes));
const tooMuch = (file: string, limit: string, of = '') => `${file}: the HDF5 structure${of} takes more than ${limit} to read (a cycle or a huge B-tree?)`;

const refuses = async (t: ExecutionContext, source: Source, message: string, options: Hdf5Options): Promise<void> => {
  await t.throwsAsync(openHdf5(source.bytes, source.file, undefined, options), { instanceOf: InputError, message });
};

test('a B-tree node that points at itself is refused on one line', async (t) => {
  const source = written('self.weights.h5', selfPointing(weightsH5().bytes));
  await t.throwsAsync(readKerasH5(source), {
    instanceOf: InputError,
    message: "self.weights.h5: HDF5 file is corrupt or truncated (reading 'the superblock'): node level does not match",
  });
});

test.serial('a fan-out B-tree is ended at the deadline', async (t) => {
  // A heap far larger than the seconds given can fill: the deadline is what ends it.
  await refuses(t, bomb(), tooMuch('fan-out.weights.h5', '1500 ms'), { deadlineMs: 1500, heapMib: 2048 });
  await refuses(t, bomb(), tooMuch('fan-out.weights.h5', '2 s'), { deadlineMs: 2000, heapMib: 2048 });
});

test.serial('a fan-out B-tree is ended at the heap limit, under which the real file reads', async (t) => {
  const options = { deadlineMs: 120_000, heapMib: 48 };
  const real = await openHdf5(weightsH5().bytes, 'ch03.weights.h5', undefined, options);
  t.deepEqual(real.root.group('layers')?.names(), ['dense', 'dense_1', 'dense_2']);
  await refuses(t, bomb(), tooMuch('fan-out.weights.h5', '48 MiB of memory'), options);
});

test.serial('with the default limits the readers refuse a fan-out B-tree with one InputError', async (t) => {
  const source = bomb();
  const heap = defaultHeapMib(source.bytes.byteLength, DEFAULT_MAX_BYTES);
  t.is(heap, 129);
  // The heap limit (129 MiB) is reached within seconds; the deadline (20 s) only on a machine too slow to fill it.
  const error = await t.throwsAsync(readKerasH5(source), { instanceOf: InputError });
  t.true([tooMuch(source.file, '129 MiB of memory'), tooMuch(source.file, '21 s')].includes(error?.message ?? ''), error?.message);
});

test.serial('a .keras whose model.weights.h5 fans out names the entry', async (t) => {
  const entries = zipEntries(`${FORMATS_DIR}/ch03.keras`);
  entries.set('model.weights.h5', fanOut(entries.get('model.weights.h5')!));
  const source = written('fan-out.keras', storedZip([...entries]));
  await t.throwsAsync(readKerasArchive(source), { instanceOf: InputError, message: /^fan-out\.keras: the HDF5 structure of model\.weights\.h5 takes more than (\d+ MiB of memory|\d+ s) to read \(a cycle or a huge B-tree\?\)$/ });
});

test('a group linked back into itself is a cycle, named where a reader reaches it', async (t) => {
  // The root's symbol table node lists 'layers' then 'vars'; 'layers' is made to point at the root's own object header.
  const source = weightsH5();
  const bytes = Buffer.from(source.bytes);
  const root = Number(bytes.readBigUInt64LE(64));
  const node = offsetOf(bytes, text('SNOD'));
  bytes.writeBigUInt64LE(BigInt(root), node + 8 + 8);
  const cycle = written('cycle.weights.h5', bytes);
  const h5 = await openHdf5(cycle.bytes, cycle.file);
  t.deepEqual(h5.root.names(), ['layers', 'vars']);
  t.is(h5.root.group('vars')?.path, 'vars');
  t.throws(() => h5.root.group('layers'), { instanceOf: InputError, message: "cycle.weights.h5: HDF5 file is corrupt: group 'layers' is a link back to a group that holds it (a cycle)" });
  await t.throwsAsync(readKerasH5(cycle), { instanceOf: InputError, message: "cycle.weights.h5: HDF5 file is corrupt: group 'layers' is a link back to a group that holds it (a cycle)" });
});

test('the caller keeps its bytes (the thread reads a copy), and the data of a dataset read twice is not shared', async (t) => {
  const source = weightsH5();
  const bytes = Buffer.from(source.bytes);
  const h5 = await openHdf5(bytes, source.file);
  t.is(bytes.byteLength, source.bytes.byteLength);
  t.deepEqual(new Uint8Array(bytes), source.bytes);
  const vars = h5.root.group('layers')!.group('dense')!.group('vars')!;
  const budget = { claim: () => 0, charge: () => undefined };
  const first = h5.readFloat(vars.dataset('1')!, 'b1', budget);
  const second = h5.readFloat(vars.dataset('1')!, 'b1', budget);
  t.deepEqual(second, first);
  t.not(second.data, first.data);
  t.is(first.data.length, 50);
});

test('float datasets outside the weight groups are never read, and say so when asked', async (t) => {
  const source = weightsH5();
  const h5 = await openHdf5(source.bytes, source.file, undefined, { dataUnder: ['vars'] });
  const dataset = h5.root.group('layers')!.group('dense')!.group('vars')!.dataset('0')!;
  t.deepEqual(dataset, { path: 'layers/dense/vars/0', shape: [784, 50], dtype: '<f4' });
  t.throws(() => h5.readFloat(dataset, 'W1', { claim: () => 0, charge: () => undefined }), {
    instanceOf: InputError,
    message: "ch03.weights.h5: HDF5 file keeps 'layers/dense/vars/0' outside the groups of weights ('vars')",
  });
});

test('the thread reads no more float values than the budget, claimed before each is read', async (t) => {
  const source = weightsH5();
  // dense's kernel (156800 bytes) fits, its bias (200 more) does not.
  const h5 = await openHdf5(source.bytes, source.file, undefined, { maxBytes: 156_900 });
  const vars = h5.root.group('layers')!.group('dense')!.group('vars')!;
  const budget = { claim: () => 0, charge: () => undefined };
  t.is(h5.readFloat(vars.dataset('0')!, 'W1', budget).data.length, 784 * 50);
  t.throws(() => h5.readFloat(vars.dataset('1')!, 'b1', budget), {
    instanceOf: InputError,
    message: "ch03.weights.h5: HDF5 file's float datasets take more than the limit of 156900 bytes together, and 'layers/dense/vars/1' was left unread",
  });
});

test('the walk holds at most so many members, so many groups deep', (t) => {
  const { bytes, file } = weightsH5();
  const job = { bytes, file, what: 'HDF5 file', maxBytes: DEFAULT_MAX_BYTES };
  // 14 members: layers and vars, the 3 layers, their vars groups and their 2 variables each. Walked depth first,
  // layers, layers/dense, its vars, their 0 and 1, then layers/dense_1: the sixth, one too many for 5.
  t.throws(() => walkHdf5(job, { maxObjects: 5, maxDepth: 32 }), { instanceOf: InputError, message: 'ch03.weights.h5: HDF5 file holds more than 5 groups and datasets' });
  t.notThrows(() => walkHdf5(job, { maxObjects: 14, maxDepth: 32 }));
  t.throws(() => walkHdf5(job, { maxObjects: 13, maxDepth: 32 }), { instanceOf: InputError, message: 'ch03.weights.h5: HDF5 file holds more than 13 groups and datasets' });
  const dense = (walkHdf5(job, { maxObjects: 100, maxDepth: 2 }).members.get('layers') as Hdf5GroupEntry).members.get('dense') as Hdf5GroupEntry;
  t.deepEqual(dense.members.get('vars'), { failed: "HDF5 file nests groups more than 2 deep (at 'layers/dense/vars')" });
});

test.serial('an aborted signal ends the thread, the read rejected with its reason', async (t) => {
  const reason = new Error('interrupted');
  const aborted = new AbortController();
  aborted.abort(reason);
  t.is(await t.throwsAsync(openHdf5(weightsH5().bytes, 'ch03.weights.h5', undefined, { signal: aborted.signal })), reason);
  // Aborted while the thread starts or reads the fan-out, long before its deadline or heap limit.
  const controller = new AbortController();
  const read = readKerasH5(bomb(), { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 500);
  t.is(await t.throwsAsync(read), reason);
});

test('limits no thread can run under are a RangeError', async (t) => {
  const { bytes, file } = weightsH5();
  await t.throwsAsync(openHdf5(bytes, file, undefined, { deadlineMs: 0 }), { instanceOf: RangeError, message: 'deadlineMs must be an integer from 1 to 2147483647, got 0' });
  await t.throwsAsync(openHdf5(bytes, file, undefined, { deadlineMs: Number.NaN }), { instanceOf: RangeError, message: 'deadlineMs must be an integer from 1 to 2147483647, got NaN' });
  await t.throwsAsync(openHdf5(bytes, file, undefined, { heapMib: 8 }), { instanceOf: RangeError, message: 'heapMib must be an integer from 16 to 16384, got 8' });
  await t.throwsAsync(openHdf5(bytes, file, undefined, { heapMib: 1.5 }), { instanceOf: RangeError, message: 'heapMib must be an integer from 16 to 16384, got 1.5' });
});
