/**
 * Every failure a user can cause, through the CLI: one line on stderr naming the file and the
 * problem, exit status 1 (2 for usage), and no output file created.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { main } from '../../src/cli/main.js';
import { IMAGES_GZ, LABELS_GZ, needsData, SAMPLE_WEIGHT as WEIGHTS, SIMPLE_CONVNET } from '../helpers/data-dir.js';
import { idxBytes, REAL_IMAGES_RAW, REAL_LABELS_RAW, writeZip } from '../helpers/idx-fixtures.js';
import { weightFixture, weightFixtures } from '../helpers/weight-fixtures.js';

needsData(test);

const COUNT = 30;
const images = readFileSync(REAL_IMAGES_RAW).subarray(16, 16 + COUNT * 784);
const labels = readFileSync(REAL_LABELS_RAW).subarray(8, 8 + COUNT);

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({ write(chunk, _encoding, done) { text += chunk; done(); } });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

interface Case {
  readonly name: string;
  /** Files to write into the case's folder: name → bytes. */
  readonly files?: Record<string, Uint8Array>;
  readonly args: (dir: string) => string[] | Promise<string[]>;
  readonly exit: number;
  /** The first line on stderr, after `mnist-eval: `; `DIR` stands for the case's folder. */
  readonly message: string | RegExp;
}

const goodImages = gzipSync(idxBytes([COUNT, 28, 28], images));
const goodLabels = gzipSync(idxBytes([COUNT], labels));
const corrupted = Buffer.from(goodImages);
corrupted[corrupted.length >> 1] ^= 0x10;
const corruptedCrc = Buffer.from(goodImages);
corruptedCrc[corruptedCrc.length - 6] ^= 0xff;
const badLabels = Uint8Array.from(labels);
badLabels[4] = 12;

const files = (dir: string, imagesName: string, labelsName: string) => ['--images', join(dir, imagesName), '--labels', join(dir, labelsName)];
const data = (imagesName: string, labelsName = 'labels.gz') => (dir: string) => [...files(dir, imagesName, labelsName), '--weights', WEIGHTS];
const withWeights = (name: string) => async (dir: string) => [...files(dir, 'images.gz', 'labels.gz'), '--weights', await weightFixture(name)];

const cases: Case[] = [
  { name: 'missing images file', args: data('nothing.gz'), exit: 1, message: 'nothing.gz: no such file' },
  { name: 'empty images file', files: { 'empty.gz': new Uint8Array(0) }, args: data('empty.gz'), exit: 1, message: 'empty.gz: empty file' },
  { name: 'not gzip although named .gz', files: { 'plain.gz': idxBytes([COUNT, 28, 28], images) }, args: data('plain.gz'), exit: 1, message: 'plain.gz: not a gzip file' },
  { name: 'gzip truncated in the middle', files: { 'cut.gz': goodImages.subarray(0, goodImages.length >> 1) }, args: data('cut.gz'), exit: 1, message: 'cut.gz: truncated gzip data (unexpected end of file)' },
  { name: 'gzip with a corrupted byte', files: { 'flip.gz': corrupted }, args: data('flip.gz'), exit: 1, message: /^flip\.gz: corrupted gzip data \(.+\)$/ },
  { name: 'gzip with a corrupted CRC', files: { 'crc.gz': corruptedCrc }, args: data('crc.gz'), exit: 1, message: 'crc.gz: corrupted gzip data (incorrect data check)' },
  { name: 'wrong IDX magic', files: { 'magic.gz': gzipSync(Buffer.from('GIF89a and some more bytes')) }, args: data('magic.gz'), exit: 1, message: /^magic\.gz: not an IDX file \(magic 0x[0-9a-f]{8}.*\)$/ },
  { name: 'unsupported IDX dtype', files: { 'f32.gz': gzipSync(idxBytes([COUNT, 28, 28], images, 0x0d)) }, args: data('f32.gz'), exit: 1, message: 'f32.gz: unsupported IDX dtype 0x0d (float32), expected 0x08 (unsigned byte)' },
  { name: 'header count larger than the data', files: { 'short.gz': gzipSync(idxBytes([COUNT + 5, 28, 28], images)), 'labels35.gz': gzipSync(idxBytes([COUNT + 5], [...labels, 1, 2, 3, 4, 5])) }, args: data('short.gz', 'labels35.gz'), exit: 1, message: `short.gz: truncated: header declares ${COUNT + 5} images, data ends after ${COUNT}` },
  { name: 'trailing garbage after the data', files: { 'long.gz': gzipSync(Buffer.concat([idxBytes([COUNT, 28, 28], images), Buffer.alloc(100, 7)])) }, args: data('long.gz'), exit: 1, message: `long.gz: trailing garbage after the ${COUNT} images the header declares` },
  { name: 'images and labels with different counts', files: { 'labels29.gz': gzipSync(idxBytes([COUNT - 1], labels.subarray(1))) }, args: data('images.gz', 'labels29.gz'), exit: 1, message: `labels29.gz: declares ${COUNT - 1} labels, but images.gz declares ${COUNT} images` },
  { name: 'label outside 0..9', files: { 'bad-labels.gz': gzipSync(idxBytes([COUNT], badLabels)) }, args: data('images.gz', 'bad-labels.gz'), exit: 1, message: 'bad-labels.gz: label 12 at index 4 is outside 0..9' },
  { name: 'image size that does not match W1', files: { 'small.gz': gzipSync(idxBytes([COUNT, 20, 20], images.subarray(0, COUNT * 400))) }, args: data('small.gz'), exit: 1, message: 'sample_weight.pkl: model mlp (inferred, sigmoid), layer 1 (affine W1, b1): W1 (784, 50) takes 784 inputs, but the 20×20 images give (400,)' },
  { name: 'labels given as images', args: data('labels.gz', 'labels.gz'), exit: 1, message: 'labels.gz: expected images: an IDX file with 3 dimensions (count x rows x cols), got 1 dimension (30)' },
  { name: 'weights: not a pickle', args: withWeights('not-a-pickle.pkl'), exit: 1, message: 'not-a-pickle.pkl: not a weight file this tool reads: text starting "W1,b1,W2\\n0.1,0.2,0.3\\n"; expected a pickle or .npz of numpy arrays, a PyTorch state dict, safetensors, ONNX, .keras or Keras .h5' },
  { name: 'weights: truncated pickle', args: withWeights('truncated.pkl'), exit: 1, message: /^truncated\.pkl: truncated pickle, it ends at byte \d+ before its STOP opcode$/ },
  { name: 'weights: NaN in a weight', args: withWeights('nan.pkl'), exit: 1, message: 'nan.pkl: W2 contains NaN at [3, 7]' },
  { name: 'weights: unsupported dtype', args: withWeights('int64.pkl'), exit: 1, message: "int64.pkl: W1 has unsupported dtype int64 ('<i8'), expected float32 or float64" },
  { name: 'weights: os.system', args: withWeights('evil-os-system.pkl'), exit: 1, message: 'evil-os-system.pkl: refused to load global os.system (only numpy array globals are allowed)' },
  { name: 'weights: builtins.eval', args: withWeights('evil-eval.pkl'), exit: 1, message: 'evil-eval.pkl: refused to load global builtins.eval (only numpy array globals are allowed)' },
  { name: 'weights: subprocess.Popen', args: withWeights('evil-popen.pkl'), exit: 1, message: 'evil-popen.pkl: refused to load global subprocess.Popen (only numpy array globals are allowed)' },
  { name: 'weights: arrays over --max-weights-mib', args: (dir) => [...files(dir, 'images.gz', 'labels.gz'), '--weights', SIMPLE_CONVNET, '--model', 'simple-convnet', '--max-weights-mib', '1'], exit: 1, message: /^simple_convnet_params\.pkl: (the file is 3471484 bytes|W2 declares 3456000 bytes \(shape \(4320, 100\), float64\)), over the limit of 1048576 bytes$/ },
  { name: 'weights: missing file', args: (dir) => [...files(dir, 'images.gz', 'labels.gz'), '--weights', join(dir, 'none.pkl')], exit: 1, message: 'none.pkl: cannot read the weight file, no such file' },
];

for (const c of cases) {
  test(c.name, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-errors-'));
    await writeFile(join(dir, 'images.gz'), goodImages);
    await writeFile(join(dir, 'labels.gz'), goodLabels);
    for (const [name, bytes] of Object.entries(c.files ?? {})) await writeFile(join(dir, name), bytes);
    const out = join(dir, 'out');
    const stdout = capture();
    const stderr = capture();
    const args = [...(await c.args(dir)), '--quiet', '--report', join(out, 'report.json'), '--mosaic', join(out, 'errors.png'), '--predictions', join(out, 'p.csv')];
    const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream });
    t.is(code, c.exit, stderr.text());
    const lines = stderr.text().split('\n');
    t.deepEqual(lines.slice(1), [''], 'exactly one line on stderr');
    const line = lines[0].replace(/^mnist-eval: /, '').replaceAll(`${dir}/`, '');
    if (typeof c.message === 'string') t.is(line, c.message);
    else t.regex(line, c.message);
    t.is(stdout.text(), '');
    t.false(existsSync(out), 'no output folder or file');
  });
}

test('the good files of these cases evaluate (so each case fails for its own reason)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-errors-'));
  await writeFile(join(dir, 'images.gz'), goodImages);
  await writeFile(join(dir, 'labels.gz'), goodLabels);
  const stdout = capture();
  const code = await main([...data('images.gz')(dir), '--json', '--quiet', '--report', join(dir, 'r.json'), '--mosaic', join(dir, 'm.png')], { stdout: stdout.stream, stderr: capture().stream });
  t.is(code, 0);
  t.is(JSON.parse(stdout.text()).total, COUNT);
});

test('a malicious pickle runs nothing: no marker file appears', async (t) => {
  const dir = await weightFixtures();
  for (const name of ['evil-os-system.pkl', 'evil-eval.pkl', 'evil-popen.pkl', 'evil-posix.pkl', 'evil-inst.pkl']) {
    const code = await main(['--weights', join(dir, name), '--images', IMAGES_GZ, '--labels', LABELS_GZ, '--quiet', '--report', join(dir, 'never', 'r.json')], { stdout: capture().stream, stderr: capture().stream });
    t.is(code, 1, name);
  }
  t.deepEqual((await readdir(dir)).filter((name) => name.startsWith('marker-')), []);
});

test('a zip without an IDX entry, and one with several candidates', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mnist-eval-errors-'));
  const none = await writeZip(join(dir, 'none.zip'), [{ name: 'readme.txt', data: Buffer.from('hello') }]);
  const two = await writeZip(join(dir, 'two.zip'), [
    { name: 'a-images.idx', data: idxBytes([COUNT, 28, 28], images) },
    { name: 'b-images.idx', data: idxBytes([COUNT, 28, 28], images) },
  ]);
  for (const [zip, pattern] of [[none, /^mnist-eval: .*none\.zip: no IDX (file|images) in the archive/], [two, /^mnist-eval: .*two\.zip: several IDX images in the archive .*; choose one as .*two\.zip:<entry>/]] as const) {
    const stderr = capture();
    const code = await main(['--images', zip, '--labels', join(dir, 'x.gz'), '--weights', WEIGHTS, '--quiet', '--report', join(dir, 'out', 'r.json')], { stdout: capture().stream, stderr: stderr.stream });
    t.is(code, 1);
    t.regex(stderr.text(), pattern);
  }
  t.false(existsSync(join(dir, 'out')));
});
