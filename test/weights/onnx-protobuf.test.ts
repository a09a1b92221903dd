/**
 * The ONNX protobuf as untrusted bytes: truncations and corruptions are one-line InputErrors, the
 * structure protobufjs would build is bounded before it decodes, and isOnnx keeps other protobufs
 * (and anything else starting with 0x08) out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { InputError } from '../../src/errors.js';
import { isOnnx, readOnnx } from '../../src/weights/onnx/read-onnx.js';
import { MAX_ITEMS, MAX_STRING_BYTES } from '../../src/weights/onnx/onnx-scan.js';
import { FORMATS_DIR, SAMPLE_WEIGHT, withData } from '../helpers/data-dir.js';
import { int, ints, model, modelObject, encodeModel, node, MLP_NODES } from './onnx-builder.js';

const read = (bytes: Uint8Array) => readOnnx({ bytes, path: '/nonexistent/t.onnx', file: 't.onnx' });

const refuses = async (t: import('ava').ExecutionContext, bytes: Uint8Array, problem: string): Promise<void> => {
  await t.throwsAsync(read(bytes), { instanceOf: InputError, message: `t.onnx: ${problem}` });
};

/** A varint's bytes. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  return [...out, n];
};

test('every truncation of a model is refused with one InputError, never a raw error', async (t) => {
  const bytes = model();
  for (let length = 0; length < bytes.length; length++) {
    const error = await t.throwsAsync(read(bytes.subarray(0, length)), undefined, `cut at ${length}`);
    t.true(error instanceof InputError, `cut at ${length}: ${error?.name}: ${error?.message}`);
    t.true(error!.message.startsWith('t.onnx: '), error?.message);
  }
});

test('every byte of a model changed (to 0xff, 0x00, +1) gives a model or an InputError, never a raw error', async (t) => {
  const bytes = model();
  for (let at = 0; at < bytes.length; at++) {
    for (const change of [() => 0xff, () => 0, (b: number) => (b + 1) & 0xff]) {
      const copy = bytes.slice();
      copy[at] = change(copy[at]);
      try {
        await read(copy);
      } catch (error) {
        if (!(error instanceof InputError)) t.fail(`byte ${at}: ${String(error)}`);
      }
    }
  }
  t.pass();
});

test('a cut inside the graph, a length past its message, a wrong wire type and a group are named with their byte', async (t) => {
  const bytes = model();
  // protobufjs writes the fields by number: ir_version (2 bytes), producer_name, producer_version, then the graph.
  const graphAt = 2 + (2 + 'onnx-builder'.length) + (2 + '1.0'.length);
  t.is(bytes[graphAt], 0x3a);
  const graphLength = (bytes[graphAt + 1] & 0x7f) + bytes[graphAt + 2] * 0x80;
  await refuses(t, bytes.subarray(0, bytes.length - 20), `not a valid ONNX protobuf: field 7 of ModelProto at byte ${graphAt} declares ${graphLength} bytes, past the end of its message at byte ${bytes.length - 20}`);
  await refuses(t, new Uint8Array([0x08, 0x08, 0x3a, 0x7f, 0x00]), 'not a valid ONNX protobuf: field 7 of ModelProto at byte 2 declares 127 bytes, past the end of its message at byte 5');
  await refuses(t, new Uint8Array([0x0a, 0x01, 0x00]), 'not a valid ONNX protobuf: ModelProto.ir_version is length-delimited at byte 0, expected varint');
  await refuses(t, new Uint8Array([0x08, 0x08, 0x3b, 0x3c]), 'not a valid ONNX protobuf: group start (field 7 of ModelProto) at byte 2, which ONNX does not use');
  await refuses(t, new Uint8Array([0x08, 0xff, 0xff]), 'not a valid ONNX protobuf: truncated varint at byte 1');
  await refuses(t, new Uint8Array([0x08, 0x08]), 'the model has no graph');
});

test('a file that is not ONNX at all is refused by the reader, and is not taken by isOnnx', withData(async (t) => {
  const pickle = readFileSync(SAMPLE_WEIGHT);
  t.false(isOnnx(pickle));
  await t.throwsAsync(read(pickle), { instanceOf: InputError, message: /^t\.onnx: not a valid ONNX protobuf: / });
  const text = new TextEncoder().encode('{"layers": []}\n');
  t.false(isOnnx(text));
  await t.throwsAsync(read(text), { instanceOf: InputError, message: /^t\.onnx: not a valid ONNX protobuf: / });
  t.false(isOnnx(readFileSync(join(FORMATS_DIR, 'ch03.safetensors'))));
}));

test('isOnnx: a SavedModel-like protobuf (0x08 0x01, then a binary message in field 2), no graph, odd IR versions and short inputs are not ONNX', (t) => {
  t.true(isOnnx(model()));
  t.false(isOnnx(new Uint8Array([])));
  t.false(isOnnx(new Uint8Array([0x08])));
  // saved_model.pb: saved_model_schema_version 1, then meta_graphs (field 2) holding binary data.
  t.false(isOnnx(new Uint8Array([0x08, 0x01, 0x12, 0x06, 0x0a, 0x04, 0x12, 0x02, 0xff, 0xfe])));
  t.false(isOnnx(new Uint8Array([0x08, 0x01, 0x12, 0x04, 0x0a, 0x02, 0x08, 0x01])), 'control characters in producer_name');
  t.false(isOnnx(encodeModel({ ...modelObject(), graph: undefined })), 'no graph');
  t.false(isOnnx(encodeModel({ ...modelObject(), ir_version: 0 })), 'ir_version 0 (not written)');
  t.false(isOnnx(encodeModel({ ...modelObject(), ir_version: 1000 })));
  t.false(isOnnx(new Uint8Array([0x08, 0x08, 0x3a, 0x10, 0x00])), 'a graph past the end');
  t.false(isOnnx(new Uint8Array([0x08, 0x08, 0x48, 0x01, 0x3a, 0x00])), 'field 9, not a ModelProto field');
});

test(`more than ${MAX_ITEMS} fields (empty nodes) are refused before protobufjs builds them`, async (t) => {
  const nodes = MAX_ITEMS + 1;
  const graph = [0x3a, ...varint(nodes * 2)];
  const bytes = new Uint8Array(2 + graph.length + nodes * 2);
  bytes.set([0x08, 0x08, ...graph]);
  for (let i = 0; i < nodes; i++) bytes.set([0x0a, 0x00], 2 + graph.length + i * 2);
  t.true(bytes.length < 3_000_000);
  // Items: ir_version, graph, then node k is item 2 + k: node MAX_ITEMS − 1 takes the count over.
  const at = 2 + graph.length + (MAX_ITEMS - 2) * 2;
  await refuses(t, bytes, `not a valid ONNX protobuf: more than ${MAX_ITEMS} fields and values by byte ${at}, more than a model's structure holds`);
});

test('packed ints count one item per value: an attribute of 1.5 million one-byte ints is refused', async (t) => {
  const big = new Array(1_500_000).fill(1);
  const bytes = model({ nodes: [node('Gemm', ['x', 'W1', 'b1'], ['h1'], { transB: int(1), junk: ints(big) }, 'Gemm_0'), ...MLP_NODES.slice(1)] });
  const error = await t.throwsAsync(read(bytes), { instanceOf: InputError });
  t.regex(error!.message, new RegExp(`^t\\.onnx: not a valid ONNX protobuf: more than ${MAX_ITEMS} fields and values by byte \\d+, more than a model's structure holds$`));
});

test('ints attributes hold at most 16 values; an int beyond 2^53 is refused', async (t) => {
  const bytes = model({ nodes: [node('Gemm', ['x', 'W1', 'b1'], ['h1'], { transB: int(1) }, 'Gemm_0'), MLP_NODES[1], MLP_NODES[2], node('Softmax', ['h2'], ['y'], { axis: { type: 2, i: { low: 0, high: 0x400000, unsigned: false } } }, 's')] });
  await refuses(t, bytes, "node 4 's' (Softmax): attribute 'axis' is beyond 2^53");
});

test(`a text field longer than ${MAX_STRING_BYTES} bytes (a name of 1 MB) is refused before it is decoded`, async (t) => {
  const bytes = encodeModel({ ...modelObject(), producer_name: 'x'.repeat(2 ** 20) });
  await refuses(t, bytes, `not a valid ONNX protobuf: ModelProto.producer_name at byte 2 is ${2 ** 20} bytes of text, more than ${MAX_STRING_BYTES}`);
});
