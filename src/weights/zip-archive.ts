/**
 * A zip archive of a weight file (an .npz, a PyTorch zip, a `.keras`), read with node-stream-zip:
 * its entries' declared sizes are checked against the file's limit before anything is inflated,
 * and an entry is inflated into a buffer of its declared size, never more, so a zip bomb cannot
 * grow past it. Errors name the file and the entry.
 */
import StreamZip from 'node-stream-zip';
import { InputError } from '../errors.js';
import { quote } from './decode-array.js';
import { describeReadError } from './read-weight-file.js';

export type ZipEntry = StreamZip.ZipEntry;

export interface ZipArchive {
  /** The files of the archive (no folders), in archive order. */
  readonly entries: readonly ZipEntry[];
  /** The entry named `name`, if there is one. */
  entry(name: string): ZipEntry | undefined;
  /** All of one entry's bytes, exactly its declared size. */
  read(entry: ZipEntry): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Opens the zip at `path` (named `file` in errors) and refuses it when its entries' declared sizes
 * add up past `maxBytes`. `kind` says what the archive was expected to be ('an .npz (zip) archive').
 */
export async function openZipArchive(path: string, file: string, maxBytes: number, kind: string): Promise<ZipArchive> {
  const zip = new StreamZip.async({ file: path });
  try {
    const entries = Object.values(await readEntries(zip, file, kind)).filter((entry) => !entry.isDirectory);
    let total = 0;
    for (const entry of entries) {
      total += entry.size;
      if (total > maxBytes) {
        throw new InputError(file, `entry ${quote(entry.name)} takes the archive to ${total} bytes uncompressed, over the limit of ${maxBytes} bytes`);
      }
    }
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    return {
      entries,
      entry: (name) => byName.get(name),
      read: (entry) => readEntry(zip, entry, file),
      close: () => zip.close().catch(() => undefined),
    };
  } catch (error) {
    await zip.close().catch(() => undefined);
    throw error;
  }
}

async function readEntries(zip: StreamZip.StreamZipAsync, file: string, kind: string): Promise<Record<string, ZipEntry>> {
  try {
    return await zip.entries();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) throw new InputError(file, `cannot read the weight file, ${describeReadError(error)}`);
    throw new InputError(file, `not a readable ${kind}, ${(error as Error).message}`);
  }
}

/** Inflates one entry into a buffer of its declared size, refusing more or fewer bytes. */
async function readEntry(zip: StreamZip.StreamZipAsync, entry: ZipEntry, file: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(entry.size);
  let length = 0;
  try {
    const stream = await zip.stream(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (length + chunk.length > entry.size) {
        throw new InputError(file, `entry ${quote(entry.name)} inflates past its declared ${entry.size} bytes`);
      }
      bytes.set(chunk, length);
      length += chunk.length;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `entry ${quote(entry.name)} is corrupt, ${(error as Error).message}`);
  }
  if (length !== entry.size) {
    throw new InputError(file, `entry ${quote(entry.name)} is truncated, expected ${entry.size} bytes, got ${length}`);
  }
  return bytes;
}
