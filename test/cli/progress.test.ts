import test from 'ava';
import { createProgress, formatDuration, formatProgress } from '../../src/cli/progress.js';

const line = (done: number, total: number, elapsedMs: number, width: number): string => formatProgress(done, total, elapsedMs, width);

const cases: Array<[number, number, number, number, string]> = [
  // done, total, elapsed ms, width, line
  [4200, 10000, 1196, 60, '[#####--------]   4200/10000   42%    3512 img/s  ETA 2s'],
  [0, 10000, 1500, 60, '[-------------]      0/10000    0%      -- img/s  ETA --'],
  [10000, 10000, 2850, 60, '[#############]  10000/10000  100%    3509 img/s  ETA 0s'],
  [12000, 10000, 3000, 60, '[#############]  10000/10000  100%    4000 img/s  ETA 0s'],
  [37, 60000, 1000, 80, '[---------------------------------]     37/60000    0%      37 img/s  ETA 27m01s'],
  [4200, 10000, 1196, 30, ' 4200/10000   42%'],
  [4200, 10000, 1196, 12, ' 4200/10000'],
  [4200, 10000, 1196, 5, ' 4200'],
];

for (const [done, total, elapsed, width, expected] of cases) {
  test(`formatProgress(${done}, ${total}, ${elapsed} ms, ${width} columns)`, (t) => {
    t.is(line(done, total, elapsed, width), expected);
  });
}

test('formatProgress: an empty run is complete at once', (t) => {
  t.regex(line(0, 0, 1200, 60), /^\[#+\]  0\/0  100%  +-- img\/s  ETA --$/);
});

test('formatProgress: never wider than the width, for any width', (t) => {
  for (let width = 0; width <= 120; width++) {
    for (const [done, total, elapsed] of [[0, 10000, 0], [1234, 10000, 987], [60000, 60000, 4000], [5, 7, 1e7]]) {
      const text = line(done, total, elapsed, width);
      if (text.length > width) t.fail(`width ${width}: ${JSON.stringify(text)} is ${text.length} long`);
    }
  }
  t.pass();
});

test('formatProgress: the bar does not change length as the speed changes', (t) => {
  const bar = (elapsed: number): number => line(5000, 10000, elapsed, 70).indexOf(']');
  t.is(bar(10), bar(1000)); // 500 000 img/s
  t.is(bar(1000), bar(1e6));
});

test('formatDuration: seconds, then minutes and seconds, then hours and minutes', (t) => {
  t.deepEqual([0, 1, 999, 1001, 59_000, 60_000, 185_000, 3_599_000, 3_600_000, 3_720_000].map(formatDuration), [
    '0s', '1s', '1s', '2s', '59s', '1m00s', '3m05s', '59m59s', '1h00m', '1h02m',
  ]);
});

/** A fake stderr: a TTY (or not) that records what is written. */
function fakeStream(isTTY: boolean, columns = 60): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stream = { isTTY, columns, write: (chunk: string) => (writes.push(chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 5000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

test('createProgress: nothing in the first second, then lines that start with \\r and clear the rest', (t) => {
  const { stream, writes } = fakeStream(true);
  const clock = fakeClock();
  const progress = createProgress({ total: 10000, stream, enabled: true, now: clock.now });
  for (let i = 1; i <= 10; i++) {
    clock.advance(100);
    progress.update(i * 100);
  }
  t.deepEqual(writes, [], 'a run of one second prints nothing');
  clock.advance(1);
  progress.update(1100);
  t.is(writes.length, 1);
  t.true(writes[0].startsWith('\r['));
  t.true(writes[0].endsWith('\x1b[K'));
  t.true(writes[0].includes(' 1100/10000'));
  t.true(writes[0].length - 4 <= 59, 'fits in 60 columns less one');
});

test('createProgress: at most ten redraws a second', (t) => {
  const { stream, writes } = fakeStream(true);
  const clock = fakeClock();
  const progress = createProgress({ total: 100_000, stream, enabled: true, now: clock.now });
  clock.advance(1001);
  for (let i = 0; i < 1000; i++) {
    clock.advance(2); // 500 updates a second, for two seconds
    progress.update(i * 10);
  }
  t.is(writes.length, 20);
});

test('createProgress: finish clears the line once, and later updates draw nothing', (t) => {
  const { stream, writes } = fakeStream(true);
  const clock = fakeClock();
  const progress = createProgress({ total: 100, stream, enabled: true, now: clock.now });
  clock.advance(1500);
  progress.update(50);
  progress.finish();
  progress.finish();
  clock.advance(500);
  progress.update(100);
  t.is(writes.length, 2);
  t.is(writes[1], '\r\x1b[K');
});

test('createProgress: a quick run that drew nothing clears nothing', (t) => {
  const { stream, writes } = fakeStream(true);
  const clock = fakeClock();
  const progress = createProgress({ total: 100, stream, enabled: true, now: clock.now });
  progress.update(100);
  progress.finish();
  t.deepEqual(writes, []);
});

test('createProgress: no output when the stream is not a TTY, or when disabled (--quiet)', (t) => {
  for (const [isTTY, enabled] of [[false, true], [true, false], [false, false]]) {
    const { stream, writes } = fakeStream(isTTY);
    const clock = fakeClock();
    const progress = createProgress({ total: 100, stream, enabled, now: clock.now });
    clock.advance(5000);
    progress.update(50);
    progress.finish();
    t.deepEqual(writes, [], `isTTY ${isTTY}, enabled ${enabled}`);
  }
});
