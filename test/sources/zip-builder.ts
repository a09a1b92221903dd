/** Zip archives written byte by byte, for the tests of hostile files. */
import { deflateRawSync } from 'node:zlib';

export const INFLATED = 64 * 2 ** 20;

/** A zip of one deflated chunk (64 MiB of zeros, 64 KB compressed) and `count` directory records all pointing at it. */
export function overlappingZip(count: number, chunk = deflateRawSync(Buffer.alloc(INFLATED))): Buffer {
  const local = Buffer.alloc(30 + 4);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflated
  local.writeUInt32LE(chunk.length, 18);
  local.writeUInt32LE(INFLATED, 22);
  local.writeUInt16LE(4, 26);
  local.write('bomb', 30, 'latin1');
  const records = Array.from({ length: count }, (_, i) => {
    const name = `e${String(i).padStart(4, '0')}`;
    const record = Buffer.alloc(46 + name.length);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(8, 10);
    record.writeUInt32LE(chunk.length, 20);
    record.writeUInt32LE(INFLATED, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt32LE(0, 42); // every record points at the one local header
    record.write(name, 46, 'latin1');
    return record;
  });
  const directory = Buffer.concat(records);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(local.length + chunk.length, 16);
  return Buffer.concat([local, chunk, directory, end]);
}

