import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addRecovery, countEvents, countPoints, countRecovery, figures, noRecovery, withFaultRows } from '../../../eval/metrics.ts';

describe('point-wise and event-wise figures', () => {
  // rows:    0 1 2 3 4 5 6 7 8 9
  // labels:  0 0 1 1 1 0 0 1 1 0   two events: rows 2..4 and 7..8
  // flags:   1 0 0 1 1 0 0 0 0 0   event 1 found at row 3 (delay 1 row, 10 s), event 2 missed
  const labels = [0, 0, 1, 1, 1, 0, 0, 1, 1, 0];
  const flags = [1, 0, 0, 1, 1, 0, 0, 0, 0, 0];
  const ts = labels.map((_, i) => i * 10_000);
  const f = figures(countPoints(flags, labels), countEvents(flags, labels, ts));
  const cases: Array<[string, number | null]> = [
    ['tp', 2], ['fp', 1], ['fn', 3], ['tn', 4],
    ['precision', 2 / 3], ['recall', 2 / 5], ['f1', 0.5],
    ['far', 20], // 1 of 5 normal rows flagged
    ['mar', 60], // 3 of 5 anomalous rows missed
    ['events', 2], ['eventsDetected', 1], ['eventRecall', 0.5],
    ['meanDetectionDelayRows', 1], ['meanDetectionDelaySeconds', 10],
  ];
  for (const [key, want] of cases) {
    it(`${key} = ${want}`, () => {
      const got = f[key as keyof typeof f];
      if (want === null || typeof got !== 'number') assert.equal(got, want);
      else assert.ok(Math.abs(got - want) < 1e-12, `${key}: ${got}`);
    });
  }
  it('reports undefined ratios as null, not 0', () => {
    const none = figures(countPoints([0, 0], [0, 0]), countEvents([0, 0], [0, 0], [0, 1]));
    assert.equal(none.precision, null);
    assert.equal(none.recall, null);
    assert.equal(none.mar, null);
    assert.equal(none.far, 0);
    assert.equal(none.eventRecall, null);
  });
  it('does not point-adjust: one flagged row in a long event is one true positive', () => {
    const l = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const fl = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const g = figures(countPoints(fl, l), countEvents(fl, l, l.map((_, i) => i)));
    assert.equal(g.recall, 0.1);
    assert.equal(g.eventRecall, 1);
    assert.equal(g.meanDetectionDelayRows, 9);
  });
});

describe('recovery: how alerts close after a labelled anomaly ends', () => {
  //              0  1  2  3  4  5  6  7  8  9 10 11
  const labels = [0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0];
  const times = labels.map((_, i) => i * 60_000);
  it('the alert open at an event end: its close time and the normal rows it holds after the end', () => {
    // First event: open until row 5 (closes at row 6, 4 rows = 4 min after its end at row 2); second: open to the data's end.
    const flags = [0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1];
    const r = countRecovery(flags, labels, times);
    assert.deepEqual(r, { openAtEnd: 2, closed: 1, closeRows: 4, closeMs: 240_000, maxCloseMs: 240_000, tailRows: 3 + 3 });
    const f = figures(countPoints(flags, labels), countEvents(flags, labels, times), r);
    assert.equal(f.normalInAlertsPct, f.far);
    assert.equal(f.normalInAlertsAfterAnomalyPct, (100 * 6) / 8);
    assert.equal(f.meanCloseAfterEndSeconds, 240);
    assert.equal(f.maxCloseAfterEndSeconds, 240);
    assert.deepEqual([f.openAtAnomalyEnd, f.closedAfterAnomalyEnd], [2, 1]);
  });
  it('an alert that closed with its event, or no alert, counts nothing; a false alarm elsewhere is not a tail', () => {
    const flags = [0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0];
    const r = countRecovery(flags, labels, times);
    assert.deepEqual(r, noRecovery);
    const f = figures(countPoints(flags, labels), countEvents(flags, labels, times), r);
    assert.equal(f.normalInAlertsPct, 25);
    assert.equal(f.normalInAlertsAfterAnomalyPct, 0);
    assert.equal(f.meanCloseAfterEndSeconds, null);
  });
  it('pools over files: sums, and the longest of the longest', () => {
    const a = { openAtEnd: 1, closed: 1, closeRows: 2, closeMs: 10, maxCloseMs: 10, tailRows: 2 };
    const b = { openAtEnd: 2, closed: 1, closeRows: 5, closeMs: 30, maxCloseMs: 30, tailRows: 9 };
    assert.deepEqual(addRecovery(a, b), { openAtEnd: 3, closed: 2, closeRows: 7, closeMs: 40, maxCloseMs: 30, tailRows: 11 });
  });
  it('normal rows inside a sensor-fault alert: counted from the row kinds (fault alone or with an anomaly alert), pooled, as a share of normal rows', () => {
    //            0  1  2  3  4  5  6  7  8  9 10 11
    const kinds = [2, 2, 0, 3, 1, 0, 0, 2, 2, 0, 0, 2];
    const flags = kinds.map((k) => (k === 0 ? 0 : 1));
    const r = withFaultRows(countRecovery(flags, labels, times), kinds, labels);
    // Normal rows with a fault alert open: 0, 3, 11 (rows 1, 7 and 8 are labelled).
    assert.equal(r.faultRows, 3);
    const f = figures(countPoints(flags, labels), countEvents(flags, labels, times), r);
    assert.equal(f.normalInFaultAlertsPct, (100 * 3) / 8);
    assert.equal(figures(countPoints(flags, labels), countEvents(flags, labels, times)).normalInFaultAlertsPct, null);
    assert.equal(addRecovery(noRecovery, r).faultRows, 3);
    assert.equal(addRecovery(noRecovery, noRecovery).faultRows, undefined);
  });
});
