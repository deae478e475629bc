import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, decideSilence, initialSensorState, severityFor, alertIdFor, type DecisionInput, type FaultVerdict, type SensorState } from '../../../../common/decision/decide.ts';
import { mergePolicy } from '../../../../common/decision/policy.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { HysteresisConfig, Severity } from '../../../../common/config/types.ts';
import type { ThresholdSource } from '../../../../common/calibration/thresholds.ts';
import type { AnomalyAlert } from '../../../../common/types.ts';

// The raw-error path with a static threshold 0.1: a window of error r/10 scores r / (1 + r),
// so the bands 0.5 and 0.75 are r = 1 and r = 3, and the cases read in ratios.
const bands: Severity[] = [
  { name: 'critical', minScore: 0.75 },
  { name: 'warning', minScore: 0.5 },
];
const hyst = (h: Pick<HysteresisConfig, 'openAfter' | 'openWindow' | 'resolveAfter'>, more: Partial<HysteresisConfig> = {}): HysteresisConfig => ({ releaseScore: 0.5, holdOffSamples: 0, ...h, ...more });
const consecutive2 = hyst({ openAfter: 2, openWindow: 2, resolveAfter: 2 });
const twoOfThree = hyst({ openAfter: 2, openWindow: 3, resolveAfter: 3 });
const staticSource: ThresholdSource = { thresholds: { model: { value: 0.1, method: 'static', details: {} }, perSensor: {} }, calibration: { errors: [], perSensorErrors: {} } };
const model = { key: 'default', version: 3, calibration: staticSource };
const policyFor = (h: HysteresisConfig): DecisionInput['policy'] => ({
  ...mergePolicy(defaultConfig, 's1', 1),
  thresholds: { ...mergePolicy(defaultConfig, 's1', 1).thresholds, method: 'static', value: 0.1 },
  hysteresis: h,
  severities: bands,
});
const errorsOf = (r: number): DecisionInput['errors'] => ({ error: r / 10, step: r / 10, stepMax: r / 10 });
const flat: FaultVerdict = { fault: 'flatline', channels: ['ch0'], detail: 'stuck' };

/** Step a sequence of scores (or faults) through decide; returns compact event strings "seq:kind:state:severity". */
function run(scores: (number | 'F')[], h: HysteresisConfig, start: SensorState = initialSensorState('s1')): { trace: string[]; events: AnomalyAlert[]; state: SensorState } {
  let state = start;
  const trace: string[] = [];
  const events: AnomalyAlert[] = [];
  scores.forEach((s, i) => {
    const seq = i;
    const d = decide(state, {
      window: { sensorId: 's1', seq, start: seq * 1000, end: seq * 1000 + 999 },
      errors: errorsOf(s === 'F' ? 0.2 : s),
      channels: { names: ['ch0'], window: [1], step: [1], top: 3 },
      model,
      policy: policyFor(h),
      fault: s === 'F' ? flat : null,
    });
    state = d.state;
    for (const e of d.events) {
      trace.push(`${seq}:${e.kind}:${e.state}:${e.severity}`);
      events.push(e);
    }
  });
  return { trace, events, state };
}

describe('decide: hysteresis', () => {
  const cases: { name: string; scores: (number | 'F')[]; h: HysteresisConfig; want: string[] }[] = [
    { name: 'all below: nothing', scores: [0.1, 0.5, 0.9, 0.99], h: consecutive2, want: [] },
    { name: 'one spike does not open (N=2 consecutive)', scores: [0.5, 2, 0.5, 2, 0.5], h: consecutive2, want: [] },
    { name: 'two in a row open, two below resolve', scores: [0.5, 1.5, 1.2, 0.5, 0.4], h: consecutive2, want: ['2:anomaly:open:warning', '4:anomaly:resolve:warning'] },
    { name: 'one below does not resolve', scores: [1.5, 1.5, 0.5, 1.5, 0.5, 0.5], h: consecutive2, want: ['1:anomaly:open:warning', '5:anomaly:resolve:warning'] },
    { name: 'k of m: 2 of last 3 opens with a gap', scores: [1.5, 0.5, 1.5], h: twoOfThree, want: ['2:anomaly:open:warning'] },
    { name: 'k of m: 2 of last 4 does not open with m=3', scores: [1.5, 0.5, 0.5, 1.5], h: twoOfThree, want: [] },
    { name: 'flapping input opens once and never resolves while flapping', scores: [1.5, 0.5, 1.5, 0.5, 1.5, 0.5, 1.5, 0.5, 1.5], h: twoOfThree, want: ['2:anomaly:open:warning'] },
    { name: 'escalation is immediate', scores: [1.5, 1.5, 4, 4], h: consecutive2, want: ['1:anomaly:open:warning', '2:anomaly:update:critical'] },
    { name: 'opens at the band of the opening window', scores: [1.5, 5], h: consecutive2, want: ['1:anomaly:open:critical'] },
    { name: 'de-escalation waits resolveAfter windows in a lower band', scores: [4, 4, 2, 4, 2, 2, 2], h: consecutive2, want: ['1:anomaly:open:critical', '5:anomaly:update:warning'] },
    { name: 'resolve after update keeps the id and the new severity', scores: [1.5, 1.5, 4, 0.1, 0.1], h: consecutive2, want: ['1:anomaly:open:warning', '2:anomaly:update:critical', '4:anomaly:resolve:critical'] },
    { name: 'reopen after resolve needs fresh evidence', scores: [2, 2, 0, 0, 2, 0, 2, 2], h: consecutive2, want: ['1:anomaly:open:warning', '3:anomaly:resolve:warning', '7:anomaly:open:warning'] },
    { name: 'faults open a sensor_fault, never an anomaly', scores: ['F', 'F', 'F', 0.5, 0.5], h: consecutive2, want: ['1:sensor_fault:open:warning', '4:sensor_fault:resolve:warning'] },
    { name: 'faulty windows freeze the anomaly track', scores: [2, 'F', 2, 'F', 'F', 0.1, 0.1], h: consecutive2, want: ['2:anomaly:open:warning', '4:sensor_fault:open:warning', '6:sensor_fault:resolve:warning', '6:anomaly:resolve:warning'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(run(c.scores, c.h).trace, c.want));
});

describe('decide: events', () => {
  it('update and resolve carry the id of the open; ids are stable and distinct per opening window', () => {
    const { events } = run([1.5, 1.5, 4, 0, 0, 2, 2], consecutive2);
    const [open, update, resolve, reopen] = events;
    assert.ok(open && update && resolve && reopen);
    assert.equal(update.alertId, open.alertId);
    assert.equal(resolve.alertId, open.alertId);
    assert.notEqual(reopen.alertId, open.alertId);
    assert.equal(open.alertId, alertIdFor('s1', 'anomaly', 1, 1000));
    assert.deepEqual(run([1.5, 1.5, 4, 0, 0, 2, 2], consecutive2).events, events, 'same input, same events');
  });

  it('an event carries the model, threshold, score and window in force', () => {
    const [open] = run([1.5, 2.5], consecutive2).events;
    assert.deepEqual(open, {
      alertId: alertIdFor('s1', 'anomaly', 1, 1000), sensorId: 's1', state: 'open', kind: 'anomaly', fault: null,
      severity: 'warning', score: 2.5 / 3.5, reconstructionError: 0.25, threshold: 0.1, stepError: null, stepThreshold: null,
      topChannels: [{ channel: 'ch0', contribution: 1 }], modelKey: 'default', modelVersion: 3, windowStart: 1000, windowEnd: 1999, reason: null, follows: null,
    });
  });

  it('a fault alert names the fault', () => {
    const [open] = run(['F', 'F'], consecutive2).events;
    assert.equal(open?.kind, 'sensor_fault');
    assert.equal(open?.fault, 'flatline');
  });

  it('a replayed window (seq and end not after the last decided) yields nothing and keeps the state', () => {
    const { state } = run([1.5], consecutive2);
    const again = decide(state, {
      window: { sensorId: 's1', seq: 0, start: 0, end: 999 }, errors: errorsOf(9),
      model, policy: policyFor(consecutive2), fault: null,
    });
    assert.equal(again.state, state);
    assert.deepEqual(again.events, []);
  });

  it('a NaN score without a fault verdict does not move the anomaly track', () => {
    const { state } = run([1.5], consecutive2);
    const d = decide(state, {
      window: { sensorId: 's1', seq: 1, start: 1000, end: 1999 }, errors: errorsOf(Number.NaN),
      model, policy: policyFor(consecutive2), fault: null,
    });
    assert.deepEqual(d.state.anomaly, state.anomaly);
    assert.equal(d.state.lastSeq, 1);
  });

  it('state is plain JSON (it is persisted between restarts)', () => {
    const { state } = run([1.5, 1.5, 4], consecutive2);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
    assert.deepEqual(JSON.parse(JSON.stringify(initialSensorState('s2'))), initialSensorState('s2'));
  });
});

describe('severityFor', () => {
  const cases: [number, string | null][] = [[0.49, null], [0.5, 'warning'], [0.7499, 'warning'], [0.75, 'critical'], [1, 'critical'], [Number.POSITIVE_INFINITY, 'critical']];
  for (const [score, want] of cases) it(`${score} -> ${want}`, () => assert.equal(severityFor(score, bands), want));
});

describe('decide: one alert per excursion', () => {
  const once = hyst({ openAfter: 1, openWindow: 1, resolveAfter: 1 }, { releaseScore: 0.3, holdOffSamples: 3 });
  it('resolves on the release level, not on the open level (hysteresis on the value)', () => {
    // r 0.6 scores 0.375: below the open level 0.5, above the release level 0.3: the alert stays open.
    assert.deepEqual(run([2, 0.6, 0.6, 2, 0.1], hyst({ openAfter: 1, openWindow: 1, resolveAfter: 1 }, { releaseScore: 0.3 })).trace, ['0:anomaly:open:warning', '4:anomaly:resolve:warning']);
  });
  it('a crossing within the hold-off is a new alert that follows the resolved one; after the hold-off, a new one that follows none', () => {
    const { trace, events } = run([2, 0.1, 0.1, 2, 0.1, 0.1, 0.1, 0.1, 2], once);
    assert.deepEqual(trace, ['0:anomaly:open:warning', '1:anomaly:resolve:warning', '3:anomaly:open:warning', '4:anomaly:resolve:warning', '8:anomaly:open:warning']);
    const ids = events.map((e) => e.alertId);
    assert.equal(ids[1], ids[0]);
    assert.equal(ids[2], alertIdFor('s1', 'anomaly', 3, 3000), 'within the hold-off: its own id, from its own opening window');
    assert.notEqual(ids[2], ids[0]);
    assert.deepEqual(events.map((e) => e.follows), [null, null, ids[0], ids[0], null], 'every event of the follower names the alert it follows');
    assert.notEqual(ids[4], ids[0], 'after the hold-off: a new alert');
  });
  it('a re-crossing takes the band of the window that opens it', () => {
    assert.deepEqual(run([2, 0.1, 5], once).trace, ['0:anomaly:open:warning', '1:anomaly:resolve:warning', '2:anomaly:open:critical']);
  });
  it('open, resolve, re-crossing within the hold-off, update, resolve: every id has one open and one final resolve, linked by follows', () => {
    const { events, state } = run([2, 0.1, 2, 5, 0.1, 0.1, 2, 0.1], hyst({ openAfter: 1, openWindow: 1, resolveAfter: 1 }, { releaseScore: 0.3, holdOffSamples: 3 }));
    assert.deepEqual(events.map((e) => e.state), ['open', 'resolve', 'open', 'update', 'resolve', 'open', 'resolve'], 'the sequence that used to re-open one id');
    const byId = new Map<string, AnomalyAlert[]>();
    for (const e of events) byId.set(e.alertId, [...(byId.get(e.alertId) ?? []), e]);
    assert.equal(byId.size, 3);
    for (const [id, own] of byId) {
      assert.equal(own.filter((e) => e.state === 'open').length, 1, `${id}: one open`);
      assert.equal(own[0]?.state, 'open', `${id}: opens first`);
      assert.equal(own.filter((e) => e.state === 'resolve').length, 1, `${id}: one resolve`);
      assert.equal(own.at(-1)?.state, 'resolve', `${id}: the resolve is its last event`);
      assert.equal(new Set(own.map((e) => e.follows)).size, 1, `${id}: one follows on all its events`);
    }
    const [first, second, third] = [...byId.keys()];
    assert.deepEqual([...byId.values()].map((own) => own[0]?.follows), [null, first, second], 'a chain: each follows the one before');
    assert.equal(third, alertIdFor('s1', 'anomaly', 6, 6000));
    assert.equal(state.anomaly.resolved?.alert.alertId, third);
  });
  it('a fault re-crossing within the hold-off follows the resolved fault alert', () => {
    const { events } = run(['F', 0.1, 'F', 0.1], once);
    assert.deepEqual(events.map((e) => `${e.kind}:${e.state}`), ['sensor_fault:open', 'sensor_fault:resolve', 'sensor_fault:open', 'sensor_fault:resolve']);
    assert.notEqual(events[2]?.alertId, events[0]?.alertId);
    assert.deepEqual(events.map((e) => e.follows), [null, null, events[0]?.alertId, events[0]?.alertId]);
  });
  it('state persisted before follows existed (open alert and hold-off without it) reads as follows null', () => {
    const { state } = run([2], once);
    const { follows: _f, ...old } = state.anomaly.open ?? { alertId: '', severity: '', fault: null };
    const resumed = run([2, 0.1], once, { ...state, lastSeq: -1, lastEnd: -1, anomaly: { ...state.anomaly, open: old } });
    assert.deepEqual(resumed.events.map((e) => `${e.state}:${e.follows}`), ['resolve:null']);
  });
});

describe('decideSilence', () => {
  it('opens sensor_fault silent once, resolves an open anomaly with reason silent; the next window ends the silence', () => {
    const { state } = run([2, 2], consecutive2);
    assert.ok(state.anomaly.open !== null);
    const silent = decideSilence(state, { sensorId: 's1', lastSeenAt: 5000, now: 125_000, severities: bands });
    assert.deepEqual(silent.events.map((e) => `${e.kind}:${e.state}:${e.fault ?? ''}:${e.reason ?? ''}`), ['anomaly:resolve::silent', 'sensor_fault:open:silent:no window for 120 s']);
    assert.equal(silent.state.anomaly.open, null);
    assert.deepEqual(decideSilence(silent.state, { sensorId: 's1', lastSeenAt: 5000, now: 130_000, severities: bands }).events, [], 'once');
    const back = run([0.1], consecutive2, { ...silent.state, lastSeq: -1, lastEnd: -1 });
    assert.deepEqual(back.trace, ['0:sensor_fault:resolve:warning']);
    assert.equal(back.events[0]?.reason, 'readings are back');
  });
});
