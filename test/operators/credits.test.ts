/** Credits (src/operators/credits.ts): the count of batches out, and the wait for room. */
import test from 'ava';
import { Credits } from '../../src/operators/credits.js';

test('room at once under the limit, a wait at it, woken by give', async (t) => {
  const credits = new Credits(2);
  t.is(credits.room(), undefined);
  credits.take();
  credits.take();
  const room = credits.room();
  t.true(room instanceof Promise);
  let woken = false;
  void room!.then(() => (woken = true));
  await Promise.resolve();
  t.false(woken);
  credits.give();
  await room;
  t.true(woken);
  t.is(credits.out, 1);
  t.is(credits.peak, 2);
});

test('give wakes the waiters while there is room; at the limit a new one waits, until releaseAll', async (t) => {
  const credits = new Credits(1);
  credits.take();
  const woken: number[] = [];
  void credits.room()!.then(() => woken.push(1));
  void credits.room()!.then(() => woken.push(2));
  credits.give();
  await Promise.resolve();
  t.deepEqual(woken, [1, 2], 'both waited on the same free credit, and both are told');
  credits.take();
  void credits.room()!.then(() => woken.push(3));
  await Promise.resolve();
  t.deepEqual(woken, [1, 2], 'at the limit again: the new waiter waits');
  credits.releaseAll();
  await Promise.resolve();
  t.deepEqual(woken, [1, 2, 3], 'releaseAll wakes every waiter');
  t.is(credits.out, 1);
});

test('peak is the most ever out at once', (t) => {
  const credits = new Credits(8);
  for (const step of [1, 1, 1, -1, -1, 1, 1, 1, 1, -1]) {
    if (step > 0) credits.take();
    else credits.give();
  }
  t.is(credits.out, 4);
  t.is(credits.peak, 5);
});

test('a limit that is not a positive integer is a RangeError; giving back more than was taken is a bug', (t) => {
  for (const limit of [0, -1, 1.5, Number.NaN]) t.throws(() => new Credits(limit), { instanceOf: RangeError, message: /positive integer/ });
  t.throws(() => new Credits(1).give(), { message: /more credits given back than taken/ });
});
