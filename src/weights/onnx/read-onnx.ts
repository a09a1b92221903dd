/**
 * The ONNX reader: a ModelProto decoded with protobufjs (after a bounded walk over its wire
 * format), its float initializers as arrays (widened from float16/bfloat16, external data read
 * from the model's own folder), and its graph as the network (`spec`). ONNX stores a Gemm's
 * weights out × in, used with transB=1: the spec says `transpose` where they are.
 */
import { basename, extname } from 'node:path';
import { InputError } from '../../errors.js';
import { createByteBudget, quote, type WeightLoadOptions } from '../decode-array.js';
import type { NdArray } from '../nd-array.js';
import { isStream } from '../read-weight-file.js';
import type { WeightFile, WeightSource } from '../weight-file.js';
import { readExternalData } from './onnx-external.js';
import { buildSpec } from './onnx-graph.js';
import { scanMessage } from './onnx-scan.js';
import { int64Number, MODEL_PROTO, type OnnxModel } from './onnx-schema.js';
import { claimFloatArray, floatArray, isFloatTensor, type OnnxTensor, parseTensor, storedBytes } from './onnx-tensors.js';

export { isOnnx } from './onnx-detect.js';

/** The IR versions this reader knows (IR 3 brought opset imports; 14 is onnx.proto's newest). */
const MIN_IR = 3;
const MAX_IR = 14;
const MAX_METADATA_CHARS = 200;

export async function readOnnx(source: WeightSource, options: WeightLoadOptions = {}): Promise<WeightFile> {
  const { bytes, file } = source;
  const model = decodeModel(bytes, file);
  const graph = model.graph ?? fail(file, 'the model has no graph');
  const ir = int64Number(model.ir_version);
  if (ir === undefined || ir < MIN_IR || ir > MAX_IR) fail(file, `ir_version ${ir ?? 'beyond 2^53'} is not supported, expected ${MIN_IR} to ${MAX_IR}`);
  const opset = defaultOpset(model, file);
  const budget = createByteBudget(file, options);
  const tensors = new Map<string, OnnxTensor>();
  graph.initializer.forEach((encoded, i) => {
    const tensor = parseTensor(encoded, file, `initializer ${i + 1}`);
    if (tensor.name === '') fail(file, `initializer ${i + 1} has no name`);
    if (tensors.has(tensor.name)) fail(file, `initializer ${quote(tensor.name)} is given twice`);
    tensors.set(tensor.name, tensor);
  });
  const arrays = new Map<string, NdArray>();
  let fromPipe: boolean | undefined;
  for (const tensor of tensors.values()) {
    if (!isFloatTensor(tensor)) continue; // an int64 Reshape shape, read where it is used
    claimFloatArray(tensor, file, budget);
    let external: Uint8Array | undefined;
    if (tensor.external !== undefined) {
      fromPipe ??= await isStream(source.path);
      external = await readExternalData(tensor, storedBytes(tensor), { path: source.path, file, fromPipe });
    }
    arrays.set(tensor.name, floatArray(tensor, file, external));
  }
  // Exporters name every graph alike (torch: 'main_graph'), so the model is named after its file.
  const name = basename(file, extname(file));
  const spec = buildSpec({ graph, file, name, opset, arrays, tensors, budget });
  return { format: 'onnx', arrays, spec, matrices: 'out-in', metadata: metadataOf(model, ir!, opset) };
}

function fail(file: string, problem: string): never {
  throw new InputError(file, problem);
}

function decodeModel(bytes: Uint8Array, file: string): OnnxModel {
  scanMessage(bytes, MODEL_PROTO, file);
  try {
    return MODEL_PROTO.decode(bytes) as unknown as OnnxModel;
  } catch (error) {
    // The walk has checked what protobufjs would refuse; this is for what it finds besides.
    return fail(file, `not a valid ONNX protobuf: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The opset of the default domain ('' or 'ai.onnx'), undefined when the model imports none. */
function defaultOpset(model: OnnxModel, file: string): number | undefined {
  const imports = model.opset_import.filter((entry) => !entry.domain || entry.domain === 'ai.onnx');
  if (imports.length > 1) fail(file, `the model imports ${imports.length} opsets of the default domain, expected one`);
  if (imports.length === 0) return undefined;
  return int64Number(imports[0].version) ?? fail(file, 'the default domain\'s opset is beyond 2^53');
}

function metadataOf(model: OnnxModel, ir: number, opset: number | undefined): Record<string, string> {
  const cut = (text: string): string => (text.length > MAX_METADATA_CHARS ? `${text.slice(0, MAX_METADATA_CHARS - 1)}…` : text);
  const metadata: Record<string, string> = {};
  const producer = `${model.producer_name ?? ''} ${model.producer_version ?? ''}`.trim();
  if (producer) metadata.producer = cut(producer);
  metadata.ir_version = String(ir);
  if (opset !== undefined) metadata.opset = String(opset);
  if (model.domain) metadata.domain = cut(model.domain);
  const version = Object.prototype.hasOwnProperty.call(model, 'model_version') ? int64Number(model.model_version) : undefined;
  if (version !== undefined) metadata.model_version = String(version);
  if (model.graph?.name) metadata.graph = cut(model.graph.name);
  return metadata;
}
