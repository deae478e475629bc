// The cleanup stack: steps run last pushed first, each once; a start-up that
// throws half way undoes what it had acquired and the caller sees its error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../../common/log.ts';
import { createCleanupStack, orCleanUp } from '../../../../common/service/cleanup.ts';

const log = createLogger({ level: 'error', write: () => undefined });

describe('cleanup stack', () => {
  it('undoes in reverse order, and only once', async () => {
    const stack = createCleanupStack({ log, budgetMs: 1000 });
    const order: string[] = [];
    stack.undo('admin', () => void order.push('admin'));
    stack.undo('producer', async () => void order.push('producer'));
    stack.undo('consumer', () => void order.push('consumer'));
    const outcome = await stack.run();
    assert.deepEqual(order, ['consumer', 'producer', 'admin']);
    assert.deepEqual([outcome.gaveUpOn, outcome.failed], [[], []]);
    await stack.run();
    assert.deepEqual(order, ['consumer', 'producer', 'admin'], 'a second run has nothing left to undo');
  });

  it('a start-up that throws undoes what it acquired and rethrows its error', async () => {
    const stack = createCleanupStack({ log, budgetMs: 1000 });
    const order: string[] = [];
    const failure = new Error('ensureTopics failed');
    await assert.rejects(
      orCleanUp(stack, async () => {
        stack.undo('the admin client', () => void order.push('admin disconnected'));
        throw failure;
      }),
      (error) => error === failure,
    );
    assert.deepEqual(order, ['admin disconnected']);
  });

  it('a start-up that succeeds leaves the stack for the stop', async () => {
    const stack = createCleanupStack({ log, budgetMs: 1000 });
    const order: string[] = [];
    const value = await orCleanUp(stack, async () => {
      stack.undo('the admin client', () => void order.push('admin disconnected'));
      return 42;
    });
    assert.equal(value, 42);
    assert.deepEqual(order, []);
    await stack.run();
    assert.deepEqual(order, ['admin disconnected']);
  });
});
