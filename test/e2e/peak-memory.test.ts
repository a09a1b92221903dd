/**
 * Small hostile inputs must not make memory unbounded: measured where it matters, by the child's
 * own peak resident memory (`process.resourceUsage().maxRSS`, reported by a preload at exit).
 * The bound is structural, far above a normal run's (about 100 MB) and far below what the
 * inputs made before they were bounded (a gigabyte and more); the machine's load does not move it.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';
import { IMAGES_GZ, LABELS_GZ, needsData } from '../helpers/data-dir.js';
import { overlappingZip } from '../sources/zip-builder.js';
import { encodeBomb } from '../weights/pickle-builder.js';

needsData(test);

const PEAK_BOUND_MB = 400;
const dir = mkdtempSync(join(tmpdir(), 'mnist-eval-peak-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Prints the process's peak RSS in KiB as the last line on stderr when it exits. */
const PRELOAD = `data:text/javascript,${encodeURIComponent("process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'))")}`;

function run(args: string[]): Promise<{ code: number | null; message: string; peakMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const peak = /^maxrss (\d+)$/m.exec(stderr);
      resolve({ code, message: stderr.split('\n')[0], peakMb: peak === null ? NaN : Number(peak[1]) / 1024 });
    });
  });
}

const DATA = ['--images', IMAGES_GZ, '--labels', LABELS_GZ, '--limit', '100', '--quiet', '--report', 'r.json', '--mosaic', 'm.png'];

const CASES: ReadonlyArray<{ name: string; setup?: () => void; args: string[]; message: RegExp }> = [
  {
    name: 'a 300 KB pickle that turns one 64 KiB string into bytes 16,000 times (1 GB unbounded), with --max-weights-mib 16',
    setup: () => writeFileSync(join(dir, 'bomb.pkl'), encodeBomb(16_000)),
    args: [...DATA, '--weights', 'bomb.pkl', '--max-weights-mib', '16'],
    message: /^mnist-eval: bomb\.pkl: unpickling takes more than the limit of 16777216 bytes/,
  },
  {
    name: '--weights /dev/zero with --max-weights-mib 16',
    args: [...DATA, '--weights', '/dev/zero', '--max-weights-mib', '16'],
    message: /^mnist-eval: \/dev\/zero: more than 16 MiB, the weights limit/,
  },
  {
    name: 'a zip of 900 entries that all point at one 64 MiB chunk',
    setup: () => writeFileSync(join(dir, 'overlap.zip'), overlappingZip(900)),
    args: ['--images', 'overlap.zip', '--labels', LABELS_GZ, '--quiet', '--report', 'r.json', '--mosaic', 'm.png'],
    message: /^mnist-eval: overlap\.zip: /,
  },
];

for (const { name, setup, args, message } of CASES) {
  test(`${name}: refused on one line, the peak memory bounded`, async (t) => {
    setup?.();
    const { code, message: line, peakMb } = await run(args);
    t.is(code, 1);
    t.regex(line, message);
    t.log(`peak RSS ${peakMb.toFixed(1)} MB`);
    t.true(peakMb < PEAK_BOUND_MB, `peak RSS ${peakMb.toFixed(1)} MB`);
  });
}
