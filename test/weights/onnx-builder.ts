/**
 * ONNX models built in a test, encoded by protobufjs with the full onnx.proto the reader vendors
 * (not the reader's own trimmed descriptor), so the tests meet the wire format the real schema
 * writes. `model()` makes a small MLP by default; each test changes the part it is about.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const root = protobuf.parse(readFileSync(new URL('../../src/weights/onnx/onnx.proto', import.meta.url), 'utf8'), { keepCase: true }).root;
const ModelProto = root.lookupType('onnx.ModelProto');
const TensorProto = root.lookupType('onnx.TensorProto');

export const FLOAT = 1;
export const INT64 = 7;
export const FLOAT16 = 10;
export const DOUBLE = 11;
export const BFLOAT16 = 16;

export type Attribute = Record<string, unknown>;
export const int = (i: number): Attribute => ({ type: 2, i });
export const ints = (values: number[]): Attribute => ({ type: 7, ints: values });
export const float = (f: number): Attribute => ({ type: 1, f });
export const str = (s: string): Attribute => ({ type: 3, s: new TextEncoder().encode(s) });
export const tensorAttr = (t: Record<string, unknown>): Attribute => ({ type: 4, t });

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, Attribute>>;
}

export const node = (op: string, inputs: string[], outputs: string[], attributes: Record<string, Attribute> = {}, name?: string): NodeSpec =>
  ({ op, inputs, outputs, attributes, name });

/** float32 values as little-endian bytes. */
export function f32(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
}

export function i64(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setBigInt64(i * 8, BigInt(value), true));
  return bytes;
}

/** A TensorProto as protobufjs takes it: float32 raw data by default. */
export function tensor(name: string, dims: number[], fields: Record<string, unknown> = {}): Record<string, unknown> {
  if ('raw_data' in fields) return { name, dims, data_type: FLOAT, ...fields };
  const size = dims.reduce((n, d) => n * d, 1);
  const raw = Array.from({ length: size }, (_, i) => (i % 7) / 8 - 0.25);
  return { name, dims, data_type: FLOAT, raw_data: f32(raw), ...fields };
}

export interface ModelOptions {
  readonly nodes?: readonly NodeSpec[];
  readonly initializers?: readonly Record<string, unknown>[];
  /** The graph input's dims: numbers, or names for symbolic ones. */
  readonly input?: readonly (number | string)[];
  readonly inputName?: string;
  readonly extraInputs?: readonly string[];
  readonly outputs?: readonly string[];
  readonly opset?: number;
  readonly opsets?: readonly { domain: string; version: number }[];
  readonly ir?: number;
  readonly fields?: Record<string, unknown>;
}

const dimOf = (d: number | string): Record<string, unknown> => (typeof d === 'number' ? { dim_value: d } : { dim_param: d });
const valueInfo = (name: string, dims: readonly (number | string)[]): Record<string, unknown> =>
  ({ name, type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map(dimOf) } } } });

/** 4 → 3 affine (Gemm, transB=1), relu, 3 → 2 affine, softmax. */
export const MLP_NODES: readonly NodeSpec[] = [
  node('Gemm', ['x', 'W1', 'b1'], ['h1'], { transB: int(1) }, 'Gemm_0'),
  node('Relu', ['h1'], ['z1'], {}, 'Relu_1'),
  node('Gemm', ['z1', 'W2', 'b2'], ['h2'], { transB: int(1) }, 'Gemm_2'),
  node('Softmax', ['h2'], ['y'], { axis: int(1) }, 'Softmax_3'),
];

export const MLP_INITIALIZERS = [tensor('W1', [3, 4]), tensor('b1', [3]), tensor('W2', [2, 3]), tensor('b2', [2])];

export function modelObject(options: ModelOptions = {}): Record<string, unknown> {
  const nodes = options.nodes ?? MLP_NODES;
  const last = nodes.at(-1)?.outputs[0] ?? 'x';
  return {
    ir_version: options.ir ?? 8,
    producer_name: 'onnx-builder',
    producer_version: '1.0',
    opset_import: options.opsets ?? [{ domain: '', version: options.opset ?? 13 }],
    graph: {
      name: 'test_graph',
      node: nodes.map((n) => ({
        op_type: n.op,
        input: n.inputs,
        output: n.outputs,
        name: n.name ?? '',
        ...(n.domain === undefined ? {} : { domain: n.domain }),
        attribute: Object.entries(n.attributes ?? {}).map(([name, value]) => ({ name, ...value })),
      })),
      initializer: options.initializers ?? MLP_INITIALIZERS,
      input: [valueInfo(options.inputName ?? 'x', options.input ?? ['batch', 4]), ...(options.extraInputs ?? []).map((name) => valueInfo(name, [1]))],
      output: (options.outputs ?? [last]).map((name) => valueInfo(name, ['batch', 2])),
    },
    ...options.fields,
  };
}

export function model(options: ModelOptions = {}): Uint8Array {
  return encodeModel(modelObject(options));
}

export function encodeModel(object: Record<string, unknown>): Uint8Array {
  const error = ModelProto.verify(object);
  if (error) throw new Error(`onnx-builder: ${error}`);
  return ModelProto.encode(ModelProto.fromObject(object)).finish();
}

export function encodeTensor(object: Record<string, unknown>): Uint8Array {
  return TensorProto.encode(TensorProto.fromObject(object)).finish();
}
