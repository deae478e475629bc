import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ThresholdSource } from '../../../../common/calibration/thresholds.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { decide, initialSensorState, type DecisionInput, type SensorState } from '../../../../common/decision/decide.ts';
import { mergePolicy } from '../../../../common/decision/policy.ts';
import { decodeState, encodeState } from '../../../../common/decision/state-codec.ts';
import { applyVerdict, verdictApplied } from '../../../../common/decision/verdict.ts';
import type { AlertVerdict, AnomalyAlert, VerdictKind } from '../../../../common/types.ts';

// The default likelihood method over a sensor whose held-out errors are ~1 (hop 1): a run of
// windows with error 50 opens an alert and is kept out of the estimate (pending).
const rng = (() => {
  let s = 7;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647);
})();
const heldOut = Array.from({ length: 400 }, () => 0.8 + 0.4 * rng());
const calibration: ThresholdSource = { thresholds: { model: { value: 1, method: 'quantile', details: {} }, perSensor: {} }, calibration: { errors: heldOut, perSensorErrors: {} } };
const policy = mergePolicy(defaultConfig, 's1', 1);
const model = { key: 'default', version: 1, calibration };

function feed(errors: readonly number[], start: SensorState = initialSensorState('s1'), from = 0): { state: SensorState; events: AnomalyAlert[]; scores: number[] } {
  let state = start;
  const events: AnomalyAlert[] = [];
  const scores: number[] = [];
  errors.forEach((e, i) => {
    const seq = from + i;
    const input: DecisionInput = { window: { sensorId: 's1', seq, start: seq * 1000, end: seq * 1000 + 999 }, errors: { error: e, step: e, stepMax: e }, model, policy, fault: null };
    const d = decide(state, input);
    state = d.state;
    scores.push(d.score);
    events.push(...d.events);
  });
  return { state, events, scores };
}

const quiet = Array.from({ length: 300 }, () => 0.8 + 0.4 * rng());
const excursion = Array.from({ length: 40 }, () => 3 + rng());
const verdict = (kind: VerdictKind, alertIds: string[]): AlertVerdict => ({ verdictId: 'v1', sensorId: 's1', verdict: kind, alertIds, from: 0, to: null, note: null, markedAt: 0 });

describe('applyVerdict', () => {
  const before = feed([...quiet, ...excursion]);
  const open = before.state.anomaly.open;

  it('the scenario: an open alert whose windows the estimate keeps out', () => {
    assert.ok(open !== null, 'an alert is open');
    assert.ok((before.state.likelihood?.pending?.n ?? 0) > 0, 'windows are kept out');
  });

  for (const kind of ['false_positive', 'new_normal'] as const) {
    it(`${kind}: the open alert resolves with reason verdict_${kind}, and the estimate learns`, () => {
      const out = applyVerdict(before.state, { verdict: verdict(kind, [open?.alertId ?? '']), position: { partition: 0, offset: '4' }, policy });
      assert.equal(out.applied, true);
      assert.equal(out.taught, true);
      assert.deepEqual(out.events.map((e) => [e.alertId, e.state, e.kind, e.reason]), [[open?.alertId, 'resolve', 'anomaly', `verdict_${kind}`]]);
      assert.equal(out.state.anomaly.open, null);
      assert.equal(out.state.likelihood?.pending, undefined);
      assert.equal(out.state.likelihood?.excluded, 0);
      assert.ok((out.state.likelihood?.mean ?? 0) > (before.state.likelihood?.mean ?? 0), 'the estimate moved towards the excursion');
      assert.ok((out.state.likelihood?.variance ?? 0) > (before.state.likelihood?.variance ?? 0), 'the estimate widened');
    });
  }

  it('new_normal: the level of the excursion scores low at once', () => {
    const out = applyVerdict(before.state, { verdict: verdict('new_normal', [open?.alertId ?? '']), position: { partition: 0, offset: '4' }, policy });
    const next = feed(excursion.slice(0, 20), out.state, 1000);
    assert.ok((next.scores.at(-1) ?? 1) < 0.5, `score ${next.scores.at(-1)}`);
    assert.deepEqual(next.events, []);
  });

  it('confirmed: the alert stays open, the windows kept out are forgotten, never learnt', () => {
    const out = applyVerdict(before.state, { verdict: verdict('confirmed', [open?.alertId ?? '']), position: { partition: 0, offset: '4' }, policy });
    assert.deepEqual(out.events, []);
    assert.deepEqual(out.state.anomaly.open, open);
    assert.equal(out.state.likelihood?.pending, undefined);
    assert.equal(out.state.likelihood?.mean, before.state.likelihood?.mean);
    assert.equal(out.state.likelihood?.excluded, before.state.likelihood?.excluded, 'maxExcludeSamples still counts');
  });

  it('idempotent: the same position again changes nothing', () => {
    const once = applyVerdict(before.state, { verdict: verdict('false_positive', [open?.alertId ?? '']), position: { partition: 0, offset: '4' }, policy });
    assert.ok(verdictApplied(once.state, { partition: 0, offset: '4' }));
    assert.ok(verdictApplied(once.state, { partition: 0, offset: '3' }));
    assert.ok(!verdictApplied(once.state, { partition: 0, offset: '5' }));
    const twice = applyVerdict(once.state, { verdict: verdict('false_positive', [open?.alertId ?? '']), position: { partition: 0, offset: '4' }, policy });
    assert.equal(twice.applied, false);
    assert.equal(twice.state, once.state);
    assert.deepEqual(twice.events, []);
  });

  it('a verdict on another alert resolves nothing and teaches the estimate nothing', () => {
    const out = applyVerdict(before.state, { verdict: verdict('false_positive', ['someone-else']), position: { partition: 0, offset: '4' }, policy });
    assert.equal(out.applied, true);
    assert.deepEqual(out.events, []);
    assert.equal(out.taught, false);
    assert.equal(out.state.likelihood, before.state.likelihood);
    assert.deepEqual(out.state.verdict, { partition: 0, offset: '4' });
  });

  it('the position survives the state topic (state-codec)', () => {
    const out = applyVerdict(before.state, { verdict: verdict('confirmed', [open?.alertId ?? '']), position: { partition: 2, offset: '17' }, policy });
    assert.deepEqual(decodeState(encodeState(out.state))?.verdict, { partition: 2, offset: '17' });
    assert.equal(decodeState(encodeState(before.state))?.verdict, undefined);
  });
});
