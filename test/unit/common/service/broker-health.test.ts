import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBrokerHealth } from '../../../../common/service/broker-health.ts';
import { checkEveryMs, watchBrokers } from '../../../../common/service/broker-watch.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { createLogger } from '../../../../common/log.ts';
import { waitFor } from '../../../support/kafka.ts';

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

describe('watchBrokers', () => {
  it('logs "not ready" the moment readiness turns on the clock alone, before the next check', async () => {
    let now = 0;
    const lines: { level: string; msg: string }[] = [];
    const log = createLogger({ level: 'info', write: (l) => void lines.push(JSON.parse(l) as { level: string; msg: string }) });
    const config = { ...defaultConfig, kafka: { ...defaultConfig.kafka, unreachableNotReadyMs: 1000 } };
    // port 1: nothing listens, every check fails at once
    const watch = watchBrokers({ config, brokers: ['127.0.0.1:1'], log, clock: { now: () => now } });
    assert.ok(watch);
    try {
      await waitFor(() => !watch.report().reachable, { what: 'a failed check', timeoutMs: 30_000 });
      now = 999;
      assert.equal(watch.ready(), true);
      assert.equal(lines.length, 0, JSON.stringify(lines));
      now = 1000;
      assert.equal(watch.ready(), false);
      assert.deepEqual(lines.map((l) => [l.level, l.msg]), [['warn', 'brokers unreachable for 1000 ms (kafka.unreachableNotReadyMs 1000): not ready']]);
      assert.equal(watch.ready(), false);
      assert.equal(lines.length, 1, 'logged once');
    } finally {
      await watch.stop();
    }
  });
});
