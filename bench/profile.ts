/**
 * Where the time of one run goes: the run profiled by V8 (--cpu-prof), each sample put in the
 * phase of its outermost frame that names one (reading, weights, forward pass, mosaic, PNG, …),
 * else by its own frame (the bundle's import, zlib, GC). Node's own start-up comes before the
 * profile begins and writing the profile after it ends: together, the process's wall time less
 * the profile's span.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { timed } from './measure.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const FORWARD = 'forward pass (kernel, or waiting on the worker)';
const PIPELINE = 'batch loop, not forward: score, errors, tiles';
const BUNDLE = 'bundle import (module load and compile)';
const BUNDLE_INIT = 'bundle import (module top-level code)';

const PHASES: readonly [string, RegExp][] = [
  ['weights: read and decode', /^(loadWeights|readWeightFile|readPickle|loadModel|parsePickleWeights|unpickle|decodeArray|fortranToC|inferMlp\w*|readOnnx|readTorch\w*|readSafetensors|readKeras\w*)$/],
  ['mosaic: draw', /^renderMosaic$/],
  ['mosaic: PNG encode', /^(encodeMosaicPng\w*|encodeRgbPng|encodePng\w*)$/],
  ['report: JSON and writes', /^(stage|commit|formatJson|formatReportJson|mosaicSidecar|writeSynced|writeLines|writeError)$/],
  [FORWARD, /^(forward|createForwardKernel|createWasmKernel|runRows|receive|dispatch|drain|emitReady)$/],
  [PIPELINE, /^(addBatch|addErrors|offer|misclassifiedIn|predictionRows)$/],
  ['batch loop, not forward: decode IDX, batch', /^(readSamples\$|readBatches\$|packBatch|take|fill|#pull|header|readIdxHeaderOf|createAsyncIterator|openByteStream|openChain)$/],
];
/** The CLI's own frames: only where no frame under them names a phase (`main` is below most of a run's work). */
const CLI: readonly [string, RegExp] = ['CLI: options, start', /^(main|parseCliOptions|newestSource|helpersWanted)$/];

export function profileBreakdown(profile: Profile, onSample?: (phase: string, node: ProfileNode, ms: number) => void): Record<string, number> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const phaseOf = (id: number): string => {
    const chain: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(byId.get(at)!);
    for (let i = chain.length - 1; i >= 0; i--) {
      const phase = PHASES.find(([, pattern]) => pattern.test(chain[i].callFrame.functionName));
      if (phase) return phase[0];
    }
    if (chain.some(({ callFrame }) => CLI[1].test(callFrame.functionName))) return CLI[0];
    // A bundled package's module body (esbuild names its wrapper by the package's path) or
    // protobufjs building the ONNX descriptor as its module is imported: the bundle's import.
    if (chain.some(({ callFrame: f }) => f.functionName.includes('node_modules/') || /^(Root|Namespace|Type)\.\w*(JSON|resolve)/.test(f.functionName))) return BUNDLE_INIT;
    const { functionName, url } = chain[0].callFrame;
    if (url.startsWith('wasm')) return FORWARD;
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return 'idle (waiting on I/O: gunzip, files)';
    if (/zlib/.test(url)) return 'batch loop, not forward: gunzip';
    if (/streams|fs$|internal\/fs/.test(url)) return 'batch loop, not forward: streams and files';
    if (/Subscriber|Subscription|errorContext|outerNext|doInnerSub|innerFrom|Observable|^_?(complete|next|subscribe|trySubscribe|_trySubscribe)$|popResultSelector/.test(functionName)) return PIPELINE;
    if (/^(read|write|open|openFileHandle|close|stat|lstat|fstat|realpath\w*|readdir|resolve|fileURLToPath|pathToFileURL)$/.test(functionName) && !url.includes('bundle')) return 'file system calls (reads, stats, paths)';
    if (functionName === '(program)') return 'V8 and native code, unattributed';
    if (/compile|__init|__require|__esm|__commonJS|run_main|loader/i.test(functionName + url) || /internal\/modules\/esm\/|bootstrap\/|internal\/mime|_http_/.test(url)) return BUNDLE;
    return 'other';
  };
  const ms: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const phase = phaseOf(id);
    ms[phase] = (ms[phase] ?? 0) + profile.timeDeltas[i] / 1000;
    onSample?.(phase, byId.get(id)!, profile.timeDeltas[i] / 1000);
  });
  return ms;
}

/** One run of `node argv…` profiled into `dir`: its wall time, then each phase's ms, largest first. */
export async function whereTimeGoes(node: string, argv: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string; dir: string }): Promise<Record<string, number>> {
  rmSync(options.dir, { recursive: true, force: true });
  const profiled = await timed(node, ['--cpu-prof', '--cpu-prof-dir', options.dir, ...argv], options);
  const file = readdirSync(options.dir).find((name) => name.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(readFileSync(join(options.dir, file), 'utf8')) as Profile;
  const phases = profileBreakdown(profile);
  const span = (profile.endTime - profile.startTime) / 1000;
  return {
    wallMs: profiled.ms,
    'node start-up (before the profile) and writing the profile': Math.max(0, profiled.ms - span),
    ...Object.fromEntries(Object.entries(phases).sort((a, b) => b[1] - a[1])),
  };
}
