import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meanError, qualityGate } from '../../../../common/training/gate.ts';

describe('qualityGate', () => {
  const rows = [
    { name: 'first model is promoted', candidate: 5, current: null, margin: 0.1, promote: true, reason: 'first_model' },
    { name: 'better candidate is promoted', candidate: 0.8, current: 1, margin: 0.1, promote: true, reason: 'not_worse' },
    { name: 'worse but within the margin is promoted', candidate: 1.1, current: 1, margin: 0.1, promote: true, reason: 'not_worse' },
    { name: 'worse beyond the margin is rejected', candidate: 1.11, current: 1, margin: 0.1, promote: false, reason: 'worse_than_current' },
    { name: 'margin 0: equal passes', candidate: 1, current: 1, margin: 0, promote: true, reason: 'not_worse' },
    { name: 'margin 0: any worse fails', candidate: 1.0001, current: 1, margin: 0, promote: false, reason: 'worse_than_current' },
    { name: 'a current model with no usable error is treated as absent', candidate: 2, current: Number.NaN, margin: 0.1, promote: true, reason: 'first_model' },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const d = qualityGate(r.candidate, r.current, r.margin);
      assert.equal(d.promote, r.promote);
      assert.equal(d.reason, r.reason);
    });
  }

  it('meanError is the mean; empty is NaN', () => {
    assert.equal(meanError([1, 2, 6]), 3);
    assert.ok(Number.isNaN(meanError([])));
  });
});
