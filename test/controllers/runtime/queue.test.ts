/**
 * WorkQueue: de-duplication, one worker per key, delays (earliest wins), per-key exponential
 * backoff and forget, shutdown that drains in-flight keys. Every wait is bounded.
 */
import t from 'tap';
import { WorkQueue } from '../../../src/controllers/runtime/queue.js';
import { sleep, within } from '../../helpers/wait.js';

/** 'pending' when `promise` has not settled within `ms`. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([promise, sleep(ms).then(() => 'pending' as const)]);
}

t.test('WorkQueue.add: a key waits at most once', async (t) => {
  const q = new WorkQueue();
  q.add('a');
  q.add('b');
  q.add('a');
  t.equal(q.length, 2);
  t.equal(await q.get(), 'a');
  t.equal(await q.get(), 'b');
  t.equal(await settledWithin(q.get(), 20), 'pending', 'nothing else queued');
  q.done('a');
  q.done('b');
  await within(q.shutDown(), 500, 'shutDown');
});

t.test('WorkQueue: a key being processed is not handed to a second worker', async (t) => {
  const q = new WorkQueue();
  q.add('a');
  t.equal(await q.get(), 'a');
  q.add('a');
  q.add('a');
  const second = q.get();
  t.equal(await settledWithin(second, 30), 'pending', 'a is busy, so not handed out again');
  q.done('a');
  t.equal(await within(second, 1000, 'a queued again by done'), 'a', 'added while busy → queued once when done');
  q.done('a');
  t.equal(q.length, 0, 'added twice while busy, queued once');
  await q.shutDown();
});

t.test('WorkQueue.addAfter: delays, and the earliest pending time wins', async (t) => {
  const q = new WorkQueue();
  let start = Date.now();
  q.addAfter('k', 60);
  t.equal(await within(q.get(), 2000, 'delayed key'), 'k');
  t.ok(Date.now() - start >= 55, 'not before its delay');
  q.done('k');

  start = Date.now();
  q.addAfter('k', 1000);
  q.addAfter('k', 20);
  t.equal(await within(q.get(), 500, 'the earlier time'), 'k');
  t.ok(Date.now() - start < 500, 'the shorter delay replaced the longer one');
  q.done('k');

  start = Date.now();
  q.addAfter('k', 20);
  q.addAfter('k', 1000);
  t.equal(await within(q.get(), 500, 'the earlier time again'), 'k');
  q.done('k');
  t.equal(await settledWithin(q.get(), 100), 'pending', 'the later add was dropped, not queued twice');

  await within(q.shutDown(), 500, 'shutDown');
  const r = new WorkQueue();
  r.addAfter('now', 0);
  t.equal(r.length, 1, 'a delay of 0 adds at once');
  await r.shutDown();
});

t.test('WorkQueue: per-key exponential backoff, capped, reset by forget', async (t) => {
  const q = new WorkQueue({ baseMs: 10, maxMs: 50 });
  t.same([q.when('a'), q.when('a'), q.when('a'), q.when('a'), q.when('a')], [10, 20, 40, 50, 50]);
  t.equal(q.numRequeues('a'), 5);
  t.equal(q.when('b'), 10, 'keys back off independently');
  q.forget('a');
  t.equal(q.numRequeues('a'), 0);
  t.equal(q.when('a'), 10, 'forget resets');

  const r = new WorkQueue({ baseMs: 40 });
  r.addRateLimited('x');
  r.addRateLimited('x');
  const start = Date.now();
  t.equal(await within(r.get(), 2000, 'rate-limited key'), 'x');
  t.ok(Date.now() - start >= 30, 'after its backoff (the earliest of 40 and 80 ms)');
  await q.shutDown();
  r.done('x');
  await r.shutDown();
});

t.test('WorkQueue.shutDown: getters end, queued and delayed keys are dropped, in-flight keys drain', async (t) => {
  const q = new WorkQueue();
  q.add('busy');
  q.add('queued');
  q.addAfter('later', 20);
  t.equal(await q.get(), 'busy');
  const idle = q.get(); // gets 'queued'
  t.equal(await idle, 'queued');
  const waiting = q.get();
  const stopped = q.shutDown();
  t.equal(await within(waiting, 500, 'waiting getter'), undefined, 'a waiting get resolves undefined');
  t.equal(await settledWithin(stopped, 30), 'pending', 'shutDown waits for in-flight keys');
  q.done('busy');
  t.equal(await settledWithin(stopped, 30), 'pending', 'still one in flight');
  q.done('queued');
  await within(stopped, 500, 'shutDown after the last done');
  q.add('new');
  t.equal(await q.get(), undefined, 'no keys after shutdown');
  await sleep(40);
  t.equal(q.length, 0, 'the delayed key never arrived');
  t.equal(await q.shutDown(), undefined, 'shutDown again is fine');
});
