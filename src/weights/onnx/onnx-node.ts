/**
 * One ONNX node as the graph builder reads it: its label for messages (`node 3 'Gemm_2' (Gemm)`),
 * and its attributes, checked against the ones its op defines and read with their types and
 * defaults.
 */
import { InputError } from '../../errors.js';
import { quote } from '../decode-array.js';
import { int64Number, type OnnxAttribute, type OnnxNode } from './onnx-schema.js';

/** AttributeProto.AttributeType values. */
const FLOAT = 1;
const INT = 2;
const STRING = 3;
const TENSOR = 4;
const FLOATS = 6;
const INTS = 7;
const TYPE_NAMES: Readonly<Record<number, string>> = { 1: 'FLOAT', 2: 'INT', 3: 'STRING', 4: 'TENSOR', 5: 'GRAPH', 6: 'FLOATS', 7: 'INTS', 8: 'STRINGS', 9: 'TENSORS', 10: 'GRAPHS', 11: 'SPARSE_TENSOR', 12: 'SPARSE_TENSORS', 13: 'TYPE_PROTO', 14: 'TYPE_PROTOS' };

const has = (attribute: OnnxAttribute, key: keyof OnnxAttribute): boolean => Object.prototype.hasOwnProperty.call(attribute, key);

/** The attribute's type: its `type` field, or, from writers that leave it out, the field it fills. */
function typeOf(attribute: OnnxAttribute): number {
  if (attribute.type) return attribute.type;
  if (has(attribute, 'f')) return FLOAT;
  if (has(attribute, 'i')) return INT;
  if (has(attribute, 's')) return STRING;
  if (has(attribute, 't')) return TENSOR;
  if (attribute.floats.length > 0) return FLOATS;
  if (attribute.ints.length > 0) return INTS;
  return 0;
}

export class NodeView {
  readonly op: string;
  readonly label: string;
  private readonly attributes = new Map<string, OnnxAttribute>();

  constructor(readonly node: OnnxNode, readonly index: number, readonly file: string) {
    this.op = node.op_type ?? '';
    this.label = `node ${index + 1}${node.name ? ` ${quote(node.name)}` : ''} (${quote(this.op).slice(1, -1)})`;
    for (const attribute of node.attribute) {
      const name = attribute.name ?? '';
      if (attribute.ref_attr_name) this.fail(`attribute ${quote(name)} refers to a function's attribute, which a model's graph cannot`);
      if (this.attributes.has(name)) this.fail(`attribute ${quote(name)} is given twice`);
      this.attributes.set(name, attribute);
    }
  }

  fail(problem: string): never {
    throw new InputError(this.file, `${this.label}: ${problem}`);
  }

  /** The node's non-empty inputs (an empty name is an optional input left out). */
  get inputs(): readonly string[] {
    return this.node.input.filter((name) => name !== '');
  }

  /** Refuses any attribute but `known`, the ones the op defines that this reader handles. */
  only(...known: string[]): void {
    for (const name of this.attributes.keys()) {
      if (!known.includes(name)) this.fail(`attribute ${quote(name)} is not supported${known.length > 0 ? `, expected ${known.join(', ')}` : ' (the op takes none)'}`);
    }
  }

  private get(name: string, type: number): OnnxAttribute | undefined {
    const attribute = this.attributes.get(name);
    if (attribute === undefined) return undefined;
    const actual = typeOf(attribute);
    if (actual !== type) this.fail(`attribute ${quote(name)} is ${TYPE_NAMES[actual] ?? `of type ${actual}`}, expected ${TYPE_NAMES[type]}`);
    return attribute;
  }

  int(name: string, fallback: number): number {
    const attribute = this.get(name, INT);
    if (attribute === undefined) return fallback;
    return int64Number(attribute.i) ?? this.fail(`attribute ${quote(name)} is beyond 2^53`);
  }

  ints(name: string): number[] | undefined {
    const attribute = this.get(name, INTS);
    if (attribute === undefined) return undefined;
    if (attribute.ints.length > 16) this.fail(`attribute ${quote(name)} has ${attribute.ints.length} values, expected at most 16`);
    return attribute.ints.map((value) => int64Number(value) ?? this.fail(`attribute ${quote(name)} holds a value beyond 2^53`));
  }

  float(name: string, fallback: number): number {
    const attribute = this.get(name, FLOAT);
    return attribute === undefined ? fallback : (attribute.f ?? 0);
  }

  floats(name: string): number[] | undefined {
    const attribute = this.get(name, FLOATS);
    return attribute === undefined ? undefined : [...attribute.floats];
  }

  string(name: string, fallback: string): string {
    const attribute = this.get(name, STRING);
    if (attribute === undefined) return fallback;
    const bytes = attribute.s ?? new Uint8Array(0);
    return new TextDecoder().decode(bytes.subarray(0, 64));
  }

  tensor(name: string): Uint8Array | undefined {
    return this.get(name, TENSOR)?.t ?? undefined;
  }

  /** The names of the attributes given, for the Constant node's one value. */
  get attributeNames(): string[] {
    return [...this.attributes.keys()];
  }
}
