import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMarkArgs, verdictFor } from '../../../cli/alerts-mark.ts';
import type { AnomalyAlert } from '../../../common/types.ts';

describe('alerts mark: flags', () => {
  const rows: { argv: string[]; want: string | RegExp }[] = [
    { argv: ['abc', '--as', 'false-positive'], want: '{"alertId":"abc"} false_positive null' },
    { argv: ['abc', '--as', 'new_normal', '--note', 'after repair'], want: '{"alertId":"abc"} new_normal after repair' },
    { argv: ['--sensor', 'p7', '--from', '2026-12-04T08:00:00Z', '--to', '1796374800000', '--as', 'confirmed'], want: '{"sensorId":"p7","from":1796371200000,"to":1796374800000} confirmed null' },
    { argv: ['--sensor', 'p7', '--from', '2026-12-04T08:00:00', '--to', '2026-12-04T09:00:00', '--as', 'confirmed'], want: '{"sensorId":"p7","from":1796371200000,"to":1796374800000} confirmed null' },
    { argv: ['abc'], want: /--as is required: false-positive \| new-normal \| confirmed/ },
    { argv: ['abc', '--as', 'maybe'], want: /--as must be one of false-positive, new-normal, confirmed, got 'maybe'/ },
    { argv: ['--as', 'confirmed'], want: /give an ALERT_ID, or --sensor ID --from TIME --to TIME/ },
    { argv: ['abc', '--sensor', 'p7', '--as', 'confirmed'], want: /not both/ },
    { argv: ['--sensor', 'p7', '--from', 'yesterday', '--to', '1', '--as', 'confirmed'], want: /--from 'yesterday' is not a time/ },
    { argv: ['--sensor', 'p7', '--from', '2', '--as', 'confirmed'], want: /--to needs a time/ },
    { argv: ['--sensor', 'p7', '--from', '5', '--to', '1', '--as', 'confirmed'], want: /--to .* is before --from/ },
    { argv: ['a', 'b', '--as', 'confirmed'], want: /unexpected argument 'b'/ },
  ];
  for (const r of rows) {
    it(r.argv.join(' '), () => {
      const p = parseMarkArgs(r.argv);
      if (typeof r.want === 'string') {
        assert.ok(p.ok, p.ok ? '' : p.message);
        assert.equal(`${JSON.stringify(p.options.target)} ${p.options.verdict} ${p.options.note}`, r.want);
      } else {
        assert.ok(!p.ok);
        assert.match(p.message, r.want);
      }
    });
  }
  it('--help', () => assert.deepEqual(parseMarkArgs(['--help']), { ok: false, help: true, message: '' }));
});

describe('alerts mark: the verdict from the alerts topic', () => {
  const a = (alertId: string, sensorId: string, state: AnomalyAlert['state'], t: number, kind: AnomalyAlert['kind'] = 'anomaly'): AnomalyAlert => ({
    alertId, sensorId, state, kind, fault: kind === 'anomaly' ? null : 'flatline', severity: 'warning', score: 1, reconstructionError: 1, threshold: 1, stepError: null, stepThreshold: null,
    topChannels: [], modelKey: 'default', modelVersion: 1, windowStart: t, windowEnd: t + 9, reason: null, follows: null,
  });
  const alerts = [a('A', 'p1', 'open', 100), a('A', 'p1', 'update', 120), a('A', 'p1', 'resolve', 200), a('B', 'p1', 'open', 300), a('F', 'p1', 'open', 150, 'sensor_fault'), a('C', 'p2', 'open', 150)];
  const given = { verdict: 'confirmed' as const, note: null, now: 5, id: 'v' };
  it('an alert id: its sensor and span (null end while open)', () => {
    assert.deepEqual(verdictFor({ alertId: 'A' }, alerts, given), { verdictId: 'v', verdict: 'confirmed', note: null, markedAt: 5, sensorId: 'p1', alertIds: ['A'], from: 100, to: 209 });
    assert.equal(verdictFor({ alertId: 'B' }, alerts, given).to, null);
  });
  it('a range: the sensor anomaly alerts overlapping it', () => {
    assert.deepEqual(verdictFor({ sensorId: 'p1', from: 150, to: 250 }, alerts, given).alertIds, ['A']);
    assert.deepEqual(verdictFor({ sensorId: 'p1', from: 150, to: 400 }, alerts, given).alertIds, ['A', 'B']);
    assert.deepEqual(verdictFor({ sensorId: 'p1', from: 210, to: 290 }, alerts, given).alertIds, []);
  });
  it('an unknown id or a sensor fault is refused (alert_not_found)', () => {
    assert.throws(() => verdictFor({ alertId: 'Z' }, alerts, given), (e: Error & { code?: string }) => e.code === 'alert_not_found');
    assert.throws(() => verdictFor({ alertId: 'F' }, alerts, given), /is a sensor_fault/);
  });
});
