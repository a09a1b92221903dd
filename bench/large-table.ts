/** The markdown table of bench/large.ts for bench/README.md: each size, ours against numpy's chunked script, wall time and peak RSS. */

interface Side {
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly accuracy: number;
  readonly imagesPerSecond: number;
}

interface LargeResults {
  readonly sizes: Record<string, { mnistEval: Side & { forward?: { kernel?: string; workers?: number } }; numpy?: Side & { inLoopMs: number } }>;
  readonly shards?: { images: number; singleMs: number; twoProcessesMs: number; mergeMs: number; totalMs: number; singlePeakRssMb: number; partPeakRssMb: number; mergePeakRssMb: number; mergedEqualsSingle: boolean };
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const n = (x: number) => Math.round(x).toLocaleString('en-US');

export function largeTable(results: Record<string, unknown>, loadBefore: number, loadAfter: number): string {
  const r = results as unknown as LargeResults;
  const lines = [
    '| generated images (gzip IDX, seed 1) | mnist-eval s (bin, report + mosaic) | images/s | peak RSS MB | numpy chunked s (`numpy_peer.py`, spawn to exit) | images/s | peak RSS MB | ours ÷ numpy | accuracy, ours / numpy | kernel, workers |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const [size, { mnistEval: ours, numpy }] of Object.entries(r.sizes)) {
    lines.push(
      `| ${n(Number(size))} | ${s(ours.wallMs)} | ${n(ours.imagesPerSecond)} | ${ours.peakRssMb.toFixed(0)} | ${numpy ? `${s(numpy.wallMs)} | ${n(numpy.imagesPerSecond)} | ${numpy.peakRssMb.toFixed(0)} | ${(ours.wallMs / numpy.wallMs).toFixed(2)}` : '(skipped) | | |'}` +
        ` | ${ours.accuracy.toFixed(4)}${numpy ? ` / ${numpy.accuracy.toFixed(4)}` : ''} | ${ours.forward?.kernel ?? '?'}, ${ours.forward?.workers ?? '?'} |`,
    );
  }
  const million = r.sizes['1000000'];
  if (million?.numpy) {
    const ratio = million.mnistEval.wallMs / million.numpy.wallMs;
    const rss = million.mnistEval.peakRssMb;
    lines.push('', `Goal 5 (issue #14): 1M images ${ratio.toFixed(2)}× numpy's chunked script (target ≤ 0.60: ${ratio <= 0.6 ? 'met' : 'not met'}), peak RSS ${rss.toFixed(0)} MB (target < 150: ${rss < 150 ? 'met' : 'not met'}).`);
  }
  const sh = r.shards;
  if (sh) {
    lines.push(
      '',
      `Shard and merge, ${n(sh.images)} images: 1 process ${s(sh.singleMs)} s (peak ${sh.singlePeakRssMb.toFixed(0)} MB); 2 shard processes at once ${s(sh.twoProcessesMs)} s (peak ${sh.partPeakRssMb.toFixed(0)} MB a shard) + merge ${s(sh.mergeMs)} s (peak ${sh.mergePeakRssMb.toFixed(0)} MB) = ${s(sh.totalMs)} s; the merged report equals the single run's: ${sh.mergedEqualsSingle}.`,
    );
  }
  lines.push('', `Best of the runs per size; peak RSS is the process's VmHWM (ours) and ru_maxrss (numpy). 1-minute load average ${loadBefore.toFixed(2)} at the start, ${loadAfter.toFixed(2)} at the end.`);
  return lines.join('\n');
}
