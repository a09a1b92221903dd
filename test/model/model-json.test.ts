/**
 * A JSON model is parsed within bounds: its size, the depth of its nesting (counted on the raw
 * text, since JSON.parse itself overflows the stack on deep enough nesting) and its layer count.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { InputError } from '../../src/errors.js';
import { readModel } from '../../src/model/load-model.js';
import { parseModelJson } from '../../src/model/model-json.js';

const modelFile = async (name: string, text: string): Promise<string> => {
  const path = join(await mkdtemp(join(tmpdir(), 'mnist-eval-model-json-')), name);
  await writeFile(path, text);
  return path;
};

const relu = { type: 'relu' };

test('a model nested 500,000 levels deep is refused before JSON.parse, on one line', async (t) => {
  const deep = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
  const path = await modelFile('deep.json', `{"layers": ${deep}}`);
  await t.throwsAsync(readModel(path), {
    instanceOf: InputError, message: 'deep.json: nested more than 32 levels deep at character 42, deeper than any model',
  });
  // What the check spares: Node 20's JSON.parse takes it, but anything recursing over the value
  // (JSON.stringify in a message, a schema check) overflows the stack.
  t.throws(() => JSON.stringify(JSON.parse(deep)), { instanceOf: RangeError, message: /call stack/ });
});

test('brackets inside strings, escaped quotes included, do not count as nesting', (t) => {
  const name = `a \\" ${'['.repeat(100)} \\\\`;
  const text = JSON.stringify({ name: JSON.parse(`"${name}"`), layers: [relu] });
  t.deepEqual(parseModelJson(text, 'm.json'), { name: JSON.parse(`"${name}"`), layers: [relu] });
  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  t.deepEqual(parseModelJson(nested(32), 'm.json'), JSON.parse(nested(32)));
  t.throws(() => parseModelJson(nested(33), 'm.json'), { message: 'm.json: nested more than 32 levels deep at character 32, deeper than any model' });
});

test('a model file over 1 MiB is refused without reading it all', async (t) => {
  const path = await modelFile('big.json', `{"layers": [{"type": "relu"}]}${' '.repeat(2 ** 20)}`);
  await t.throwsAsync(readModel(path), { instanceOf: InputError, message: 'big.json: more than 1048576 bytes, over the limit for a model description' });
  await t.throwsAsync(readModel('/dev/zero'), { instanceOf: InputError, message: 'zero: more than 1048576 bytes, over the limit for a model description' });
});

test('a model of more than 256 layers is refused; 256 pass', async (t) => {
  const many = await modelFile('many.json', JSON.stringify({ layers: new Array(257).fill(relu) }));
  await t.throwsAsync(readModel(many), { instanceOf: InputError, message: 'many.json: "layers" lists 257 layers, more than the limit of 256' });
  const enough = await modelFile('enough.json', JSON.stringify({ layers: new Array(256).fill(relu) }));
  t.is((await readModel(enough)).spec.layers.length, 256);
});

test('a long unknown key or input is cut short in the message', async (t) => {
  const path = await modelFile('keys.json', JSON.stringify({ ['k'.repeat(100_000)]: 1, layers: [relu] }));
  await t.throwsAsync(readModel(path), { message: `keys.json: unknown key "${'k'.repeat(39)}…, expected name, input, layers or description` });
  const input = await modelFile('input.json', JSON.stringify({ input: new Array(100_000).fill(0), layers: [relu] }));
  await t.throwsAsync(readModel(input), { message: `input.json: "input" must be a shape such as [1, 28, 28] or [784], got [${'0,'.repeat(19)}0…` });
});
