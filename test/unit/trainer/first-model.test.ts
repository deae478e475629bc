// First models: which keys a first-model round trains, and when to look again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstModelPlan, nextFirstRoundAt } from '../../../trainer/first-model.ts';
import { emptyReport } from '../../../trainer/report.ts';

describe('firstModelPlan', () => {
  it('trains keys without a model that have enough windows; the others wait; keys with a model are left to the schedule', () => {
    const plan = firstModelPlan(new Map([['default', 60], ['pumps', 20], ['fans', 500]]), (k) => k === 'fans', 50);
    assert.deepEqual(plan, { train: ['default'], waiting: [{ modelKey: 'pumps', windows: 20 }] });
  });
  it('exactly minWindows is enough', () => {
    assert.deepEqual(firstModelPlan(new Map([['default', 50]]), () => false, 50).train, ['default']);
  });
});

describe('nextFirstRoundAt', () => {
  it('null once no key is left without a model', () => {
    assert.equal(nextFirstRoundAt(100, [], 50), null);
    assert.equal(nextFirstRoundAt(100, [{ ...emptyReport('default', 'promoted', 'first_model', 60) }], 50), null);
  });
  it('waits for the least any waiting key lacks', () => {
    const reports = [emptyReport('pumps', 'skipped', 'not_enough_windows', 20), emptyReport('fans', 'skipped', 'not_enough_windows', 45)];
    assert.equal(nextFirstRoundAt(100, reports, 50), 105);
  });
  it('a failed key tries again on minWindows newer windows', () => {
    assert.equal(nextFirstRoundAt(100, [emptyReport('default', 'failed', 'training_failed', 60, 'NaN loss')], 50), 150);
  });
});
