import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { Config } from '../../../common/config/types.ts';
import { initBackend } from '../../../common/model/backend.ts';
import { backtestSeries } from '../../../eval/backtest.ts';
import type { Series } from '../../../eval/series.ts';
import { parseVerdictsFile, verdictRecord } from '../../../eval/verdicts.ts';

describe('eval --verdicts: the file', () => {
  it('reads JSON Lines, times as ISO or epoch, verdicts with - or _', () => {
    const v = parseVerdictsFile(['{"series":"a.csv","at":"2014-01-01T00:10:00","verdict":"new-normal"}', '', '# a comment', '{"series":"a.csv","at":1388535000,"verdict":"confirmed","from":1388534400000,"to":"2014-01-01T00:05:00Z","note":"x"}'].join('\n'), 'v.jsonl');
    assert.deepEqual(v, [
      { series: 'a.csv', at: Date.parse('2014-01-01T00:10:00Z'), verdict: 'new_normal', from: null, to: null, note: null, line: 1 },
      { series: 'a.csv', at: 1388535000_000, verdict: 'confirmed', from: 1388534400000, to: Date.parse('2014-01-01T00:05:00Z'), note: 'x', line: 4 },
    ]);
  });
  it('names every bad line with its number', () => {
    assert.throws(() => parseVerdictsFile('{"series":"a","at":"x","verdict":"maybe"}\nnot json\n{"series":"a","at":1,"verdict":"confirmed","from":5}', 'v.jsonl'), (err: Error) => {
      assert.match(err.message, /v\.jsonl:1: 'verdict' must be false-positive, new-normal or confirmed/);
      assert.match(err.message, /v\.jsonl:1: 'at' must be an ISO time/);
      assert.match(err.message, /v\.jsonl:2: not JSON/);
      assert.match(err.message, /v\.jsonl:3: give both 'from' and 'to'/);
      return true;
    });
  });
  it('without a range it judges the alert open; with one, the alerts overlapping it', () => {
    const a = (alertId: string, state: 'open' | 'resolve', t: number) => ({ alertId, sensorId: 's', state, kind: 'anomaly' as const, fault: null, severity: 'warning', score: 1, reconstructionError: 1, threshold: 1, topChannels: [], modelKey: 'm', modelVersion: 1, windowStart: t, windowEnd: t, reason: null });
    const alerts = [a('A', 'open', 10), a('A', 'resolve', 20), a('B', 'open', 30)];
    const base = { series: 's', at: 35, verdict: 'false_positive' as const, note: null, line: 1 };
    assert.deepEqual(verdictRecord({ ...base, from: null, to: null }, alerts, 'B'), { verdictId: 'line-1', sensorId: 's', verdict: 'false_positive', note: null, markedAt: 35, alertIds: ['B'], from: 30, to: null });
    assert.deepEqual(verdictRecord({ ...base, from: 0, to: 15 }, alerts, 'B').alertIds, ['A']);
    assert.deepEqual(verdictRecord({ ...base, from: 0, to: 40 }, alerts, 'B').alertIds, ['A', 'B']);
  });
});

describe('eval --verdicts: a backtest with a lasting level shift', () => {
  // 600 rows of a sine; from row 300 on the level is up by 3 for good (a new operating point).
  const n = 600;
  const timestamps = Array.from({ length: n }, (_, i) => 1_400_000_000_000 + i * 60_000);
  const values = Array.from({ length: n }, (_, i) => Math.sin(i / 5) + (i >= 300 ? 3 : 0));
  const series: Series = { name: 'shift.csv', timestamps, timeText: timestamps.map(String), channels: ['v'], values, labels: null, filledCells: 0, outOfOrderRows: 0 };
  const config = structuredClone(defaultConfig) as Config;
  config.windowing.length = 8;
  config.model.kind = 'dense';
  config.model.hidden = [8];
  config.model.codeSize = 2;
  config.model.training.epochs = 2;
  config.trainer.minWindows = 50;
  const input = { series, trainRows: 200, config, backend: 'cpu', trainHop: 1, spacing: 'time' as const, retrainEvery: 0, lookback: 100 };
  const openRows = (flags: Uint8Array, from: number): number => flags.slice(from - 200).reduce((s, f) => s + f, 0);

  it('new-normal given 20 rows into the shift closes the alert; confirmed leaves it; the figures differ only with verdicts', async () => {
    await initBackend('cpu');
    const plain = await backtestSeries(input);
    const none = await backtestSeries({ ...input, verdicts: [] });
    assert.deepEqual(Array.from(none.flags), Array.from(plain.flags), 'an empty verdict file changes nothing');
    assert.ok(openRows(plain.flags, 320) > 200, `without a verdict the alert stays open (${openRows(plain.flags, 320)} of 280 rows)`);
    const at = timestamps[320] as number;
    const nn = await backtestSeries({ ...input, verdicts: [{ series: 'shift.csv', at, verdict: 'new_normal', from: null, to: null, note: null, line: 1 }] });
    assert.deepEqual(nn.verdicts, { applied: 1, resolved: 1 });
    assert.ok(openRows(nn.flags, 322) < openRows(plain.flags, 322) / 4, `new-normal: ${openRows(nn.flags, 322)} rows open after it, against ${openRows(plain.flags, 322)}`);
    const conf = await backtestSeries({ ...input, verdicts: [{ series: 'shift.csv', at, verdict: 'confirmed', from: null, to: null, note: null, line: 1 }] });
    assert.deepEqual(conf.verdicts, { applied: 1, resolved: 0 });
    assert.equal(openRows(conf.flags, 322), openRows(plain.flags, 322), 'confirmed: the alert stays as it was');
  });
});
