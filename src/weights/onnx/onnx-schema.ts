/**
 * The part of the ONNX schema the reader decodes, as a protobufjs JSON descriptor made from
 * `onnx.proto` beside this file (onnx/onnx, commit f754691, `onnx/onnx.proto`; Copyright (c) ONNX
 * Project Contributors, Apache License 2.0: see `LICENSE` beside this file). Field names and numbers
 * are the proto's; messages and fields the reader never uses are left out, so protobufjs skips them
 * without building anything (subgraphs, training info, functions, sparse tensors, doc strings).
 *
 * Tensors (`GraphProto.initializer`, `AttributeProto.t`) are declared `bytes`: their wire format is
 * the same, and `onnx-tensors.ts` decodes them itself straight into typed arrays sized from the
 * checked dims, where protobufjs would build a JS array (or a Long object) per element first.
 */
import protobuf from 'protobufjs/light.js';

const field = (type: string, id: number, repeated = false) => (repeated ? { rule: 'repeated', type, id } : { type, id });

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: field('int64', 1),
            opset_import: field('OperatorSetIdProto', 8, true),
            producer_name: field('string', 2),
            producer_version: field('string', 3),
            domain: field('string', 4),
            model_version: field('int64', 5),
            graph: field('GraphProto', 7),
          },
        },
        OperatorSetIdProto: { fields: { domain: field('string', 1), version: field('int64', 2) } },
        GraphProto: {
          fields: {
            node: field('NodeProto', 1, true),
            name: field('string', 2),
            initializer: field('bytes', 5, true),
            input: field('ValueInfoProto', 11, true),
            output: field('ValueInfoProto', 12, true),
          },
        },
        NodeProto: {
          fields: {
            input: field('string', 1, true),
            output: field('string', 2, true),
            name: field('string', 3),
            op_type: field('string', 4),
            domain: field('string', 7),
            attribute: field('AttributeProto', 5, true),
          },
        },
        AttributeProto: {
          fields: {
            name: field('string', 1),
            ref_attr_name: field('string', 21),
            type: field('int32', 20),
            f: field('float', 2),
            i: field('int64', 3),
            s: field('bytes', 4),
            t: field('bytes', 5),
            floats: field('float', 7, true),
            ints: field('int64', 8, true),
          },
        },
        ValueInfoProto: { fields: { name: field('string', 1), type: field('TypeProto', 2) } },
        TypeProto: {
          fields: { tensor_type: field('TypeTensor', 1) },
        },
        TypeTensor: { fields: { elem_type: field('int32', 1), shape: field('TensorShapeProto', 2) } },
        TensorShapeProto: { fields: { dim: field('Dimension', 1, true) } },
        Dimension: { fields: { dim_value: field('int64', 1), dim_param: field('string', 2) } },
      },
    },
  },
};

/** An int64 as protobufjs gives it: a number, or a Long when the `long` package is there. */
export type Int64 = number | { readonly low: number; readonly high: number; readonly unsigned: boolean };

export interface OnnxModel {
  readonly ir_version?: Int64;
  readonly opset_import: readonly { readonly domain?: string; readonly version?: Int64 }[];
  readonly producer_name?: string;
  readonly producer_version?: string;
  readonly domain?: string;
  readonly model_version?: Int64;
  readonly graph?: OnnxGraph;
}

export interface OnnxGraph {
  readonly node: readonly OnnxNode[];
  readonly name?: string;
  /** Each initializer's encoded TensorProto. */
  readonly initializer: readonly Uint8Array[];
  readonly input: readonly OnnxValueInfo[];
  readonly output: readonly OnnxValueInfo[];
}

export interface OnnxNode {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly name?: string;
  readonly op_type?: string;
  readonly domain?: string;
  readonly attribute: readonly OnnxAttribute[];
}

export interface OnnxAttribute {
  readonly name?: string;
  readonly ref_attr_name?: string;
  readonly type?: number;
  readonly f?: number;
  readonly i?: Int64;
  readonly s?: Uint8Array;
  /** An encoded TensorProto. */
  readonly t?: Uint8Array;
  readonly floats: readonly number[];
  readonly ints: readonly Int64[];
}

export interface OnnxValueInfo {
  readonly name?: string;
  readonly type?: {
    readonly tensor_type?: {
      readonly elem_type?: number;
      readonly shape?: { readonly dim: readonly { readonly dim_value?: Int64; readonly dim_param?: string }[] };
    };
  };
}

export const ONNX_ROOT = protobuf.Root.fromJSON(DESCRIPTOR).resolveAll();
export const MODEL_PROTO = ONNX_ROOT.lookupType('onnx.ModelProto');

/** The int64 as a number, or undefined when it is beyond 2^53 (no ONNX count or dim is). */
export function int64Number(value: Int64 | undefined | null): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  const high = value.unsigned ? value.high >>> 0 : value.high | 0;
  const number = high * 2 ** 32 + (value.low >>> 0);
  return Number.isSafeInteger(number) ? number : undefined;
}
