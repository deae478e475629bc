import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnomalyAlert, SignalWindow } from '../../../../common/types.ts';
import { alertIntervals, selectTrainingWindows } from '../../../../common/training/select.ts';

const win = (sensorId: string, start: number, end = start + 9): SignalWindow => ({
  sensorId,
  seq: start,
  start,
  end,
  channels: ['a'],
  samples: [0],
  missing: 0,
  badQuality: 0,
});
const alert = (sensorId: string, state: AnomalyAlert['state'], windowStart: number, windowEnd: number, alertId = 'x'): AnomalyAlert => ({
  alertId,
  sensorId,
  state,
  kind: 'anomaly',
  fault: null,
  severity: 'warning',
  score: 2,
  reconstructionError: 2,
  threshold: 1,
  topChannels: [],
  modelKey: 'default',
  modelVersion: 1,
  windowStart,
  windowEnd,
  reason: null,
});

describe('training data selection', () => {
  it('alert intervals run from open to resolve; an unresolved alert runs on', () => {
    const iv = alertIntervals([alert('s', 'open', 100, 109), alert('s', 'resolve', 300, 309), alert('t', 'open', 50, 59, 'y')]);
    assert.deepEqual(iv.get('s'), [[100, 109], [300, 309], [100, 309]]);
    assert.deepEqual(iv.get('t'), [[50, 59], [50, Number.POSITIVE_INFINITY]]);
  });

  it("an alert's exclusion is capped by its own sensor's newNormalAfter where one is given per sensor", () => {
    const cap = (sensorId: string): number => (sensorId === 's' ? 50 : 1000);
    const iv = alertIntervals([alert('s', 'open', 100, 109), alert('s', 'resolve', 300, 309), alert('t', 'open', 50, 59, 'y')], cap);
    assert.deepEqual(iv.get('s'), [[100, 109], [300, 309], [100, 150]]);
    assert.deepEqual(iv.get('t'), [[50, 59], [50, 1050]]);
  });

  const windows = [win('s', 0), win('s', 100), win('s', 200), win('s', 400), win('t', 0), win('t', 100), win('u', 5)];
  const alerts = [alert('s', 'open', 100, 109), alert('s', 'resolve', 200, 209), alert('t', 'open', 100, 109, 'y')];
  const rows = [
    {
      name: 'excludes windows overlapping an alert (per sensor), keeps the rest under default',
      opts: { alerts, excludeAlerted: true, groups: {}, maxWindows: 100 },
      keys: { default: ['s@0', 's@400', 't@0', 'u@5'] },
      excluded: 3,
    },
    {
      name: 'keeps alerted windows when excludeAlerted is false',
      opts: { alerts, excludeAlerted: false, groups: {}, maxWindows: 100 },
      keys: { default: ['s@0', 's@100', 's@200', 's@400', 't@0', 't@100', 'u@5'] },
      excluded: 0,
    },
    {
      name: 'splits by model.groups and keeps the newest maxWindows per key',
      opts: { alerts: [], excludeAlerted: true, groups: { pumps: ['s'] }, maxWindows: 2 },
      keys: { pumps: ['s@200', 's@400'], default: ['t@100', 'u@5'] },
      excluded: 0,
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const sel = selectTrainingWindows(windows, r.opts);
      const got = Object.fromEntries([...sel.byKey].map(([k, ws]) => [k, ws.map((w) => `${w.sensorId}@${w.start}`).sort()]));
      assert.deepEqual(got, Object.fromEntries(Object.entries(r.keys).map(([k, v]) => [k, [...v].sort()])));
      assert.equal(sel.excludedAlerted, r.excluded);
    });
  }
});

describe('selectTrainingWindows: repeats', () => {
  it('keeps the first copy of a window cut again (same sensor and seq) and counts the rest', () => {
    const w = (seq: number, v: number) => ({ sensorId: 's1', seq, start: seq * 1000, end: seq * 1000 + 999, channels: ['a'], samples: [v], missing: 0, badQuality: 0 });
    const r = selectTrainingWindows([w(1, 1), w(2, 2), w(1, 9)], { alerts: [], excludeAlerted: false, groups: {}, maxWindows: 10 });
    assert.deepEqual(r.byKey.get('default')?.map((x) => x.samples[0]), [1, 2]);
    assert.equal(r.duplicates, 1);
  });
});
