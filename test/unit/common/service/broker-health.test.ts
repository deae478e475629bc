import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBrokerHealth } from '../../../../common/service/broker-health.ts';
import { checkEveryMs } from '../../../../common/service/broker-watch.ts';

describe('createBrokerHealth', () => {
  it('ready until the broker has been unreachable for notReadyAfterMs since the last good check, ready again on the next good one', () => {
    const h = createBrokerHealth({ notReadyAfterMs: 1000, startedAt: 0 });
    h.ok(500);
    h.failed(700, 'ECONNREFUSED');
    assert.equal(h.ready(1400), true, '900 ms since the last good check');
    assert.equal(h.ready(1500), false, '1000 ms');
    assert.deepEqual(h.report(1500), { reachable: false, unreachableForMs: 1000, lastError: 'ECONNREFUSED' });
    h.ok(1600);
    assert.equal(h.ready(1600), true);
    assert.deepEqual(h.report(1700), { reachable: true, unreachableForMs: 0 });
  });

  it('counts from start-up when no check has succeeded yet', () => {
    const h = createBrokerHealth({ notReadyAfterMs: 1000, startedAt: 100 });
    h.failed(200, 'x');
    assert.equal(h.ready(1099), true);
    assert.equal(h.ready(1100), false);
  });

  it('notReadyAfterMs 0: the broker never makes it unready', () => {
    const h = createBrokerHealth({ notReadyAfterMs: 0, startedAt: 0 });
    h.failed(1, 'x');
    assert.equal(h.ready(1e9), true);
  });

  it('checks three times per not-ready time, between 500 ms and 5 s', () => {
    assert.equal(checkEveryMs(30_000), 5000);
    assert.equal(checkEveryMs(3000), 1000);
    assert.equal(checkEveryMs(600), 500);
  });
});
