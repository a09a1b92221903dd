/**
 * What a weight file is, told by its first bytes (never by its name): the readers each know one
 * format's signature, and this module only orders the checks and describes what a file of none of
 * them looks like, so that the error says more than "unknown format".
 */
import { InputError } from '../errors.js';
import { isHdf5 } from './keras/hdf5.js';
import { isOnnx } from './onnx/onnx-detect.js';
import { isSafetensors } from './safetensors.js';
import { isTorchLegacy } from './torch/torch-legacy.js';

/** The kinds the first bytes tell apart; a zip's kind is told by its entries (`zipKind`). */
export type ContentKind = 'pickle' | 'zip' | 'hdf5' | 'safetensors' | 'onnx';

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((byte, i) => bytes[i] === byte);
const ascii = (text: string) => [...text].map((ch) => ch.charCodeAt(0));

/** The kind of `bytes` (a whole weight file), or an InputError saying what it looks like instead. */
export function contentKind(bytes: Uint8Array, file: string): ContentKind | 'torch-legacy' {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (bytes[0] === 0x80) return isTorchLegacy(bytes) ? 'torch-legacy' : 'pickle';
  if (isHdf5(bytes)) return 'hdf5';
  if (isSafetensors(bytes)) return 'safetensors';
  if (isOnnx(bytes)) return 'onnx';
  throw new InputError(file, `not a weight file this tool reads: ${looksLike(bytes)}; expected ${KNOWN}`);
}

const KNOWN = 'a pickle or .npz of numpy arrays, a PyTorch state dict, safetensors, ONNX, .keras or Keras .h5';

/** A zip's kind, from the names of its entries. */
export function zipKind(names: readonly string[], file: string): 'npz' | 'torch-zip' | 'keras' {
  if (names.includes('config.json') && names.includes('model.weights.h5')) return 'keras';
  if (names.some((name) => /^[^/]+\/data\.pkl$/.test(name))) return 'torch-zip';
  if (names.length > 0 && names.every((name) => name.endsWith('.npy'))) return 'npz';
  if (names.length === 0) throw new InputError(file, 'an empty zip archive, expected an .npz, a PyTorch zip or a .keras archive');
  const shown = names.slice(0, 3).map((name) => JSON.stringify(name.slice(0, 60))).join(', ');
  throw new InputError(file, `a zip archive of ${names.length} entries (${shown}${names.length > 3 ? ', …' : ''}) that is neither an .npz (only .npy entries), a PyTorch zip (<name>/data.pkl) nor a .keras archive (config.json, model.weights.h5)`);
}

/** A few words on what a file of no known format seems to be. */
export function looksLike(bytes: Uint8Array): string {
  if (startsWith(bytes, [0x93, ...ascii('NUMPY')])) return 'a single .npy array (save a dict of arrays with np.savez)';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip data (decompress it first)';
  if (startsWith(bytes, ascii('\x89PNG'))) return 'a PNG image';
  if (startsWith(bytes, [0x7f, ...ascii('ELF')]) || startsWith(bytes, ascii('MZ'))) return 'a program';
  const head = bytes.subarray(0, 512);
  const text = head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f) || b >= 0x80);
  if (text) {
    const start = Buffer.from(head).toString('utf8').trimStart();
    if (/^[[{]/.test(start)) return 'JSON text (a model description goes to --model)';
    return `text starting ${JSON.stringify(start.slice(0, 24))}`;
  }
  return `binary data starting ${[...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}
