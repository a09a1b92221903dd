/**
 * External data of ONNX tensors (`data_location: EXTERNAL`, `external_data` entries location,
 * offset, length), read only from inside the model's own folder: a location that is absolute, has a
 * `..`, or whose real path (symlinks followed) leaves that folder is refused, and so is anything
 * but a regular file and an offset or length outside it. The caller claims the tensor's bytes from
 * the file's budget before this reads them.
 */
import { open, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, sep, win32 } from 'node:path';
import { InputError } from '../../errors.js';
import { quote } from '../decode-array.js';
import type { OnnxTensor } from './onnx-tensors.js';

export interface ModelPlace {
  /** The model's path, whose folder holds its external data. */
  readonly path: string;
  /** The model's name in messages. */
  readonly file: string;
  /** The model came from a pipe or a device: there is no folder to look in. */
  readonly fromPipe: boolean;
}

/** The `expectedBytes` of `tensor`'s external data, read from the file its entries name. */
export async function readExternalData(tensor: OnnxTensor, expectedBytes: number, place: ModelPlace): Promise<Uint8Array> {
  const entries = tensor.external ?? new Map<string, string>();
  const location = entries.get('location') ?? '';
  const fail = (problem: string): never => {
    throw new InputError(place.file, `initializer ${quote(tensor.name)}: external data ${quote(location)} ${problem}`);
  };
  if (place.fromPipe) fail('cannot be read for a model read from a pipe or a device (there is no folder beside it); name the model file');
  if (location === '') fail('has no location, expected a file name in the model\'s folder');
  if (location.includes('\0')) fail('has a NUL character in its location');
  if (isAbsolute(location) || win32.isAbsolute(location)) fail('is an absolute path, expected a file name in the model\'s folder');
  if (location.split(/[\\/]/).includes('..')) fail('goes up a folder (..), expected a file in the model\'s folder');
  const offset = byteCount(entries.get('offset'), 'offset', fail) ?? 0;
  const length = byteCount(entries.get('length'), 'length', fail);
  const folder = await realpathOf(dirname(place.path), fail);
  const target = await realpathOf(join(dirname(place.path), location), fail);
  if (!target.startsWith(folder.endsWith(sep) ? folder : folder + sep)) fail(`resolves to ${quote(target)}, outside the model's folder ${quote(folder)}`);
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => fail(`cannot be read (${error.code ?? error.message})`));
  if (!info.isFile()) fail('is not a regular file');
  if (offset > info.size) fail(`has offset ${offset}, past the end of its ${info.size} bytes`);
  const size = length ?? info.size - offset;
  if (size > info.size - offset) fail(`has offset ${offset} and length ${size}, past the end of its ${info.size} bytes`);
  if (size !== expectedBytes) fail(`holds ${size} bytes at offset ${offset}, expected ${expectedBytes} for shape [${tensor.dims.join(', ')}]`);
  return readRange(target, offset, size, fail);
}

function byteCount(text: string | undefined, key: string, fail: (problem: string) => never): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(value) ? value : fail(`has ${key} ${quote(text)}, expected a whole number of bytes`);
}

async function realpathOf(path: string, fail: (problem: string) => never): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`);
  }
}

async function readRange(path: string, offset: number, size: number, fail: (problem: string) => never): Promise<Uint8Array> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => fail(`cannot be opened (${error.code ?? error.message})`));
  try {
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(bytes, done, size - done, offset + done);
      if (bytesRead === 0) fail(`ended after ${done} of ${size} bytes at offset ${offset}`);
      done += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}
