import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLiveness } from '../../../scorer/liveness.ts';

describe('createLiveness', () => {
  it('a sensor is silent once silentAfterMs have passed since its last window, and live again on the next', () => {
    const l = createLiveness({ silentAfterMs: () => 1000 });
    l.seen('a', 0);
    l.seen('b', 500);
    assert.deepEqual(l.silentSince(999), []);
    assert.deepEqual(l.silentSince(1000), [{ sensorId: 'a', lastSeenAt: 0, silentForMs: 1000 }]);
    assert.deepEqual(
      l.silentSince(2000).map((s) => s.sensorId),
      ['a', 'b'],
      'longest silent first',
    );
    l.seen('a', 1900);
    assert.equal(l.isSilent('a', 2000), false);
    assert.equal(l.isSilent('b', 2000), true);
    assert.equal(l.isSilent('never-seen', 2000), false, 'a sensor never seen is not tracked');
  });

  it('keeps the latest arrival when arrivals are reported out of order', () => {
    const l = createLiveness({ silentAfterMs: () => 100 });
    l.seen('a', 50);
    l.seen('a', 10);
    assert.equal(l.lastSeenAt('a'), 50);
  });

  it('reads silentAfterMs live and forgets sensors on request', () => {
    let after = 1000;
    const l = createLiveness({ silentAfterMs: () => after });
    l.seen('a', 0);
    assert.equal(l.isSilent('a', 500), false);
    after = 400;
    assert.equal(l.isSilent('a', 500), true);
    l.forget('a');
    assert.equal(l.size(), 0);
    assert.deepEqual(l.silentSince(10_000), []);
  });
});
