// A stop is bounded: steps run in order, one that hangs is given up on with a
// line naming it, the steps after it still run, and the whole takes the budget.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../../common/log.ts';
import { stopInSteps } from '../../../../common/service/stop.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({ level: 'debug', write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) }) };
}

describe('stopInSteps', () => {
  it('runs every step in order when they finish', async () => {
    const { lines, log } = capture();
    const order: string[] = [];
    const outcome = await stopInSteps(
      [
        { name: 'a', run: async () => void order.push('a') },
        { name: 'b', run: () => void order.push('b') },
      ],
      { budgetMs: 1000, log },
    );
    assert.deepEqual(order, ['a', 'b']);
    assert.deepEqual([outcome.gaveUpOn, outcome.failed], [[], []]);
    assert.deepEqual(lines, []);
  });

  it('gives up on a step that hangs, names it, and still runs the next ones within the budget', async () => {
    const { lines, log } = capture();
    const order: string[] = [];
    const started = Date.now();
    const outcome = await stopInSteps(
      [
        { name: 'the consumer', run: () => new Promise(() => undefined) },
        { name: 'the producer', run: () => void order.push('producer') },
        { name: 'the admin client', run: () => new Promise(() => undefined) },
      ],
      { budgetMs: 300, minStepMs: 50, log },
    );
    const took = Date.now() - started;
    assert.deepEqual(outcome.gaveUpOn, ['the consumer', 'the admin client']);
    assert.deepEqual(order, ['producer'], 'a step after a hung one still runs');
    assert.ok(took >= 300 && took < 1500, `took ${took} ms for a 300 ms budget (+ one 50 ms minimum step)`);
    const waiting = lines.filter((l) => l.level === 'warn').map((l) => l.waitingFor);
    assert.deepEqual(waiting, ['the consumer', 'the admin client']);
    assert.match(String(lines[0]?.msg), /still waiting for the consumer after \d+ ms; going on without it/);
  });

  it('a failing step is logged and does not stop the rest', async () => {
    const { lines, log } = capture();
    let ran = false;
    const outcome = await stopInSteps(
      [
        { name: 'boom', run: () => Promise.reject(new Error('broker gone')) },
        { name: 'after', run: () => void (ran = true) },
      ],
      { budgetMs: 1000, log },
    );
    assert.ok(ran);
    assert.deepEqual(outcome.failed, ['boom']);
    assert.equal(lines[0]?.step, 'boom');
  });
});
