import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs';
import { createBatcher, realTimer, type Timer } from '../../../scorer/batcher.ts';

/** A timer driven by the test: fire() runs the pending callback. */
function manualTimer(): Timer & { fire(): void; armed(): number | null } {
  let fn: (() => void) | null = null;
  let ms: number | null = null;
  return {
    set: (f, m) => { fn = f; ms = m; return 1; },
    clear: () => { fn = null; ms = null; },
    fire: () => { const f = fn; fn = null; ms = null; f?.(); },
    armed: () => ms,
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('createBatcher', () => {
  it('cuts a batch as soon as maxSize items are in, without waiting', async () => {
    const timer = manualTimer();
    const batches: number[][] = [];
    const b = createBatcher<number, number>({ limits: () => ({ maxSize: 3, maxWaitMs: 1000 }), timer, handle: async (xs) => { batches.push(xs); return xs.map((x) => x * 10); } });
    const results = await Promise.all([1, 2, 3].map((x) => b.add(x)));
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.deepEqual(results, [10, 20, 30]);
    assert.equal(timer.armed(), null, 'the wait timer is cleared once the batch is cut');
  });

  it('a lone item waits at most maxWaitMs (the timer), then goes alone', async () => {
    const timer = manualTimer();
    const batches: number[][] = [];
    const b = createBatcher<number, number>({ limits: () => ({ maxSize: 100, maxWaitMs: 20 }), timer, handle: async (xs) => { batches.push(xs); return xs; } });
    const p = b.add(7);
    await settle();
    assert.deepEqual(batches, [], 'not sent before the wait is over');
    assert.equal(timer.armed(), 20);
    timer.fire();
    assert.equal(await p, 7);
    assert.deepEqual(batches, [[7]]);
  });

  it('batches run one at a time, in order, never larger than maxSize', async () => {
    const timer = manualTimer();
    const order: string[] = [];
    let running = 0;
    const b = createBatcher<number, number>({
      limits: () => ({ maxSize: 4, maxWaitMs: 5 }), timer,
      handle: async (xs) => {
        running++;
        assert.equal(running, 1, 'two batches overlapped');
        order.push(xs.join(','));
        await settle();
        running--;
        return xs;
      },
    });
    const all = Array.from({ length: 10 }, (_, i) => b.add(i));
    timer.fire();
    await Promise.all(all);
    assert.deepEqual(order, ['0,1,2,3', '4,5,6,7', '8,9']);
  });

  it('a failing batch rejects its own items only', async () => {
    const timer = manualTimer();
    const b = createBatcher<number, number>({ limits: () => ({ maxSize: 2, maxWaitMs: 5 }), timer, handle: async (xs) => { if (xs.includes(1)) throw new Error('boom'); return xs; } });
    const [a, c, d] = [b.add(0), b.add(1), b.add(2)];
    timer.fire();
    await assert.rejects(a, /boom/);
    await assert.rejects(c, /boom/);
    assert.equal(await d, 2);
  });

  it('flush sends what is pending and waits for it', async () => {
    const timer = manualTimer();
    const handled: number[] = [];
    const b = createBatcher<number, number>({ limits: () => ({ maxSize: 100, maxWaitMs: 1000 }), timer, handle: async (xs) => { handled.push(...xs); return xs; } });
    void b.add(1);
    void b.add(2);
    assert.equal(b.pending(), 2);
    await b.flush();
    assert.deepEqual(handled, [1, 2]);
    assert.equal(b.pending(), 0);
  });

  it('cutSoon: items added in the same turn go together, without waiting out maxWaitMs', async () => {
    const timer = manualTimer();
    const batches: number[][] = [];
    const b = createBatcher<number, number>({ limits: () => ({ maxSize: 100, maxWaitMs: 1000 }), timer, handle: async (xs) => { batches.push(xs); return xs; } });
    const first = [b.add(1), b.add(2)];
    b.cutSoon();
    assert.equal(timer.armed(), 0, 'the long wait is replaced by a cut on the next turn');
    const second = [b.add(3)];
    b.cutSoon();
    assert.deepEqual(batches, [], 'nothing is cut synchronously');
    timer.fire();
    await Promise.all([...first, ...second]);
    assert.deepEqual(batches, [[1, 2, 3]]);
    b.cutSoon();
    assert.equal(timer.armed(), null, 'nothing pending: no timer');
  });

  it('reads the limits on every add (hot reload)', async () => {
    const timer = manualTimer();
    let maxSize = 100;
    const batches: number[][] = [];
    const b = createBatcher<number, number>({ limits: () => ({ maxSize, maxWaitMs: 50 }), timer, handle: async (xs) => { batches.push(xs); return xs; } });
    const first = b.add(1);
    maxSize = 2;
    await Promise.all([first, b.add(2)]);
    assert.deepEqual(batches, [[1, 2]]);
  });

  it('with the real timer, an idle item is handled promptly', async () => {
    const b = createBatcher<number, number>({ limits: () => ({ maxSize: 100, maxWaitMs: 10 }), handle: async (xs) => xs });
    const t0 = Date.now();
    assert.equal(await b.add(5), 5);
    assert.ok(Date.now() - t0 < 1000);
  });

  it('the real timer runs a 0 ms wait (cutSoon) with setImmediate, ahead of a 1 ms timeout, and clears it', async () => {
    const order: string[] = [];
    // Armed from an I/O callback (as a consumer batch is): the check phase
    // (immediates) comes before the next timers phase, so a 1 ms timeout armed
    // first still fires after the immediate.
    await new Promise<void>((resolve) => {
      stat('.', () => {
        setTimeout(() => { order.push('timeout'); resolve(); }, 1);
        realTimer.set(() => order.push('immediate'), 0);
        const cleared = realTimer.set(() => order.push('cleared immediate'), 0);
        realTimer.clear(cleared);
        const clearedTimeout = realTimer.set(() => order.push('cleared timeout'), 1);
        realTimer.clear(clearedTimeout);
      });
    });
    await settle();
    assert.deepEqual(order, ['immediate', 'timeout']);
  });

  it('cutSoon with the real timer: callers of the same turn share one batch', async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>({ limits: () => ({ maxSize: 100, maxWaitMs: 1000 }), handle: async (xs) => { batches.push(xs); return xs; } });
    const t0 = performance.now();
    const a = b.add(1);
    b.cutSoon();
    const c = b.add(2);
    b.cutSoon();
    await Promise.all([a, c]);
    assert.deepEqual(batches, [[1, 2]]);
    assert.ok(performance.now() - t0 < 500, 'cut on the next turn, not after maxWaitMs');
  });
});
