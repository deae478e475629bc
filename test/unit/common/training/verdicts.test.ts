import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectTrainingWindows } from '../../../../common/training/select.ts';
import { verdictRulings } from '../../../../common/training/verdicts.ts';
import type { AlertVerdict, AnomalyAlert, SignalWindow } from '../../../../common/types.ts';

const win = (seq: number, sensorId = 's1'): SignalWindow => ({ sensorId, seq, start: seq * 10, end: seq * 10 + 9, channels: ['a'], samples: [0], sampleCount: 1, gaps: 0, badQuality: 0 }) as unknown as SignalWindow;
const alert = (alertId: string, state: AnomalyAlert['state'], seq: number, sensorId = 's1'): AnomalyAlert => ({
  alertId, sensorId, state, kind: 'anomaly', fault: null, severity: 'warning', score: 1, reconstructionError: 1, threshold: 1, stepError: null, stepThreshold: null,
  topChannels: [], modelKey: 'default', modelVersion: 1, windowStart: seq * 10, windowEnd: seq * 10 + 9, reason: null, follows: null,
});
const verdict = (v: Partial<AlertVerdict> & Pick<AlertVerdict, 'verdict'>): AlertVerdict => ({ verdictId: 'x', sensorId: 's1', alertIds: [], from: 0, to: null, note: null, markedAt: 0, ...v });

// s1: alert A open at window 10, resolved at 19; alert B open at 40, never resolved.
const windows = Array.from({ length: 60 }, (_, i) => win(i));
const alerts = [alert('A', 'open', 10), alert('A', 'resolve', 19), alert('B', 'open', 40)];
const kept = (verdicts: AlertVerdict[], more: { excludeAlerted?: boolean; maxExcludeMs?: number } = {}): number[] =>
  selectTrainingWindows(windows, {
    alerts,
    excludeAlerted: more.excludeAlerted ?? true,
    ...(more.maxExcludeMs === undefined ? {} : { maxExcludeMs: more.maxExcludeMs }),
    groups: {},
    maxWindows: 1000,
    ...(verdicts.length === 0 ? {} : { verdicts: verdictRulings(verdicts, alerts) }),
  }).byKey.get('default')?.map((w) => w.seq) ?? [];
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('training with verdicts', () => {
  it('without verdicts: the alerted windows are out (as before)', () => {
    assert.deepEqual(kept([]), [...range(0, 9), ...range(20, 39)]);
  });
  it('false_positive / new_normal on alert A: its windows are in', () => {
    for (const kind of ['false_positive', 'new_normal'] as const) {
      assert.deepEqual(kept([verdict({ verdict: kind, alertIds: ['A'], from: 100, to: null })]), [...range(0, 39)]);
    }
  });
  it('confirmed on the open alert B: out for good, also past trainer.maxExcludeMs', () => {
    assert.deepEqual(kept([], { maxExcludeMs: 50 }), [...range(0, 9), ...range(16, 18), ...range(20, 39), ...range(46, 59)]);
    assert.deepEqual(kept([verdict({ verdict: 'confirmed', alertIds: ['B'], from: 400 })], { maxExcludeMs: 50 }), [...range(0, 9), ...range(16, 18), ...range(20, 39)]);
  });
  it('confirmed keeps out also with trainer.excludeAlerted false', () => {
    assert.deepEqual(kept([verdict({ verdict: 'confirmed', alertIds: ['A'], from: 100 })], { excludeAlerted: false }), [...range(0, 9), ...range(20, 59)]);
  });
  it('the latest verdict on a window rules: confirmed, then false_positive', () => {
    const v = [verdict({ verdict: 'confirmed', alertIds: ['A'], from: 100 }), verdict({ verdict: 'false_positive', alertIds: ['A'], from: 100 })];
    assert.deepEqual(kept(v), [...range(0, 39)]);
    assert.deepEqual(kept([...v].reverse()), [...range(0, 9), ...range(20, 39)]);
  });
  it('a range verdict rules the range, alerts or not; other sensors are untouched', () => {
    assert.deepEqual(kept([verdict({ verdict: 'confirmed', from: 0, to: 599 })]), []);
    assert.deepEqual(kept([verdict({ verdict: 'new_normal', from: 0, to: 599 })]), range(0, 59));
    assert.deepEqual(kept([verdict({ verdict: 'confirmed', sensorId: 's2', from: 0, to: 599 })]), [...range(0, 9), ...range(20, 39)]);
  });
  it('counts what verdicts took in and kept out', () => {
    const s = selectTrainingWindows(windows, { alerts, excludeAlerted: true, groups: {}, maxWindows: 1000, verdicts: verdictRulings([verdict({ verdict: 'new_normal', alertIds: ['A'], from: 100 }), verdict({ verdict: 'confirmed', from: 0, to: 29 })], alerts) });
    assert.equal(s.verdictExcluded, 3);
    assert.equal(s.verdictIncluded, 10);
  });
});
