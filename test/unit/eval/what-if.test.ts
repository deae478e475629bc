import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { Config } from '../../../common/config/types.ts';
import { checkWhatIfSections, deepMerge, parseHistory, reDecide, whatIfTable } from '../../../eval/what-if.ts';

// Ten held-out errors 0.1 … 1.0; a stored threshold of 1.0; six scored windows
// ending at the six rows, one day apart; labels mark rows 2..3.
const history = parseHistory(
  JSON.stringify({
    sensorId: 's',
    segments: [
      {
        fromWindow: 0,
        toWindow: 6,
        thresholds: {
          thresholds: { model: { value: 1, method: 'static', details: {} }, perSensor: {} },
          calibration: { errors: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], perSensorErrors: {} },
        },
      },
    ],
    windows: [
      [0, 0, 0, 0.5, null],
      [1, 0, 86_400_000, 0.6, null],
      [2, 0, 2 * 86_400_000, 1.5, null],
      [3, 0, 3 * 86_400_000, 1.6, null],
      [4, 0, 4 * 86_400_000, 0.7, null],
      [5, 0, 5 * 86_400_000, 0.2, null],
    ],
    rowTimes: [0, 1, 2, 3, 4, 5].map((d) => d * 86_400_000),
    rowKeys: [0, 1, 2, 3, 4, 5].map((d) => d * 86_400_000),
    labels: [0, 0, 1, 1, 0, 0],
  }),
  'h.json',
);

// The raw-error path: score r / (1 + r), open at 0.5 (r = 1), resolve below it.
const rawConfig = deepMerge(defaultConfig, { thresholds: { method: 'quantile' }, scorer: { hysteresis: { releaseScore: 0.5, holdOffSamples: 0 } } }) as Config;
const withSettings = (over: unknown): Config => deepMerge(rawConfig, over) as Config;

describe('reDecide', () => {
  it('before: stored threshold 1.0, open after 2 of 3, resolve after 4 below', () => {
    const b = reDecide(history, withSettings({ scorer: { hysteresis: { openAfter: 2, openWindow: 3, resolveAfter: 4 } } }));
    // above at rows 2,3 → opens at row 3; rows 4,5 below but resolveAfter 4 keeps it open
    assert.equal(b.threshold, 1);
    assert.equal(b.flaggedRows, 3);
    assert.equal(b.alerts, 1);
    assert.equal(b.alertsPerDay, 1 / 5);
    assert.equal(b.precision, 1 / 3);
    assert.equal(b.recall, 1 / 2);
  });
  it('after: a quantile threshold recomputed from the stored errors, no retraining', () => {
    // quantile 0.5 of 0.1..1.0 = 0.55, ×1 → rows 1..4 above (0.6, 1.5, 1.6, 0.7); 1-in-a-row opens at row 1; resolves after 1 below (row 5)
    const a = reDecide(history, withSettings({ thresholds: { method: 'quantile', quantile: 0.5, multiplier: 1 }, scorer: { hysteresis: { openAfter: 1, openWindow: 1, resolveAfter: 1 } } }), { recalibrate: true });
    assert.ok(Math.abs(a.threshold - 0.55) < 1e-12);
    assert.equal(a.flaggedRows, 4);
    assert.equal(a.precision, 2 / 4);
    assert.equal(a.recall, 1);
  });
  it('without recalibration a model-wide change keeps the stored threshold (the service applies it at the next training)', () => {
    assert.equal(reDecide(history, withSettings({ thresholds: { method: 'quantile', quantile: 0.5 } })).threshold, 1);
  });
  it('per-sensor override wins for that sensor', () => {
    const a = reDecide(history, withSettings({ thresholds: { perSensor: { s: { method: 'static', value: 2 } } } }));
    assert.equal(a.threshold, 2);
    assert.equal(a.alerts, 0);
    assert.equal(a.recall, 0);
  });
  it('prints before → after per sensor', () => {
    const b = reDecide(history, rawConfig);
    const t = whatIfTable([{ sensor: 's', before: b, after: b }]);
    assert.match(t, /\| s \| 1\.00 → 1\.00 \| 0\.20 → 0\.20 \|/);
  });
  it('with the likelihood (the default method) the threshold column is filled: the level of the error that opens, as in report.md', () => {
    const likelihood = deepMerge(defaultConfig, { scorer: { hysteresis: { holdOffSamples: 0 } } }) as Config;
    assert.equal(likelihood.thresholds.method, 'likelihood');
    const b = reDecide(history, likelihood);
    const a = reDecide(history, deepMerge(likelihood, { scorer: { severities: [{ name: 'warning', minScore: 0.7 }, { name: 'critical', minScore: 0.9 }] } }) as Config);
    assert.ok(Number.isFinite(b.threshold) && b.threshold > 0, `before: ${b.threshold}`);
    assert.ok(a.threshold > b.threshold, `a higher open level is a higher error level: ${b.threshold} → ${a.threshold}`);
    const t = whatIfTable([{ sensor: 's', before: b, after: a }]);
    assert.match(t, new RegExp(`\\| s \\| ${b.threshold.toPrecision(3).replace('.', '\\.')} → ${a.threshold.toPrecision(3).replace('.', '\\.')} \\|`));
    assert.match(t, /\| all 1 sensors \| \(per sensor\) \|/);
  });
});

describe('what-if file sections', () => {
  it('accepts thresholds and scorer', () => assert.deepEqual(checkWhatIfSections({ thresholds: {}, scorer: {} }, 'f.yaml'), { thresholds: {}, scorer: {} }));
  it('refuses model or windowing changes: they need re-scoring', () => {
    assert.throws(() => checkWhatIfSections({ model: { kind: 'conv' } }, 'f.yaml'), /f\.yaml: section\(s\) model cannot be tried on scored history/);
  });
  it('deepMerge keeps untouched keys and replaces arrays', () => {
    assert.deepEqual(deepMerge({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] }), { a: { b: 1, c: 3 }, l: [9] });
  });
});
