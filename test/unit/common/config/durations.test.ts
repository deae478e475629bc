import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { convertDurations, fromDuration, lengthKeys, parseDuration } from '../../../../common/config/durations.ts';
import { ConfigError, givenDurations, parseConfigText } from '../../../../common/config/load.ts';
import { mergePolicy } from '../../../../common/decision/policy.ts';

function problems(yaml: string): string[] {
  try {
    parseConfigText(yaml, 'test.yaml');
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
}

describe('durations', () => {
  it('parses the units an operator writes', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('30'), null);
    assert.equal(parseDuration('30x'), null);
    assert.equal(parseDuration('ten minutes'), null);
  });

  it('converts to samples, windows and ms on the sample grid; a positive duration is at least one', () => {
    const grid = { samplePeriodMs: 50, hop: 16 };
    assert.equal(fromDuration(10_000, 'samples', grid), 200);
    assert.equal(fromDuration(8_000, 'windows', grid), 10);
    assert.equal(fromDuration(1_234, 'ms', grid), 1_234);
    assert.equal(fromDuration(10, 'samples', grid), 1);
    assert.equal(fromDuration(0, 'samples', grid), 0);
  });

  it('every key in samples, windows or ms takes a duration', () => {
    const units = new Set(Object.values(lengthKeys));
    assert.deepEqual([...units].sort(), ['ms', 'samples', 'windows']);
    for (const path of ['windowing.length', 'windowing.maxGapSamples', 'thresholds.likelihood.historySamples', 'scorer.hysteresis.holdOffSamples', 'scorer.hysteresis.openAfter', 'thresholds.adaptiveHalfLife', 'trainer.lookbackMs', 'scorer.silentAfterMs']) {
      assert.ok(path in lengthKeys, `${path} takes a duration`);
    }
  });

  it('a file with durations loads as the same numbers, converted with its own sample period', () => {
    const c = parseConfigText(
      [
        'windowing: { samplePeriodMs: 100ms, length: 6.4s, hop: 1.6s, maxGapSamples: 800ms, idleAfterMs: 5m }',
        'thresholds: { likelihood: { historySamples: 2h, averageSamples: 1s, warmupSamples: 10s, learnAfterQuietSamples: 10s } }',
        'scorer: { hysteresis: { holdOffSamples: 20s, resolveAfter: 3.2s }, silentAfterMs: 2m, faults: { flatlineSamples: 3.2s }, perSensor: { s1: { hysteresis: { holdOffSamples: 1m } } } }',
        'trainer: { lookbackMs: 6h }',
      ].join('\n'),
      'test.yaml',
    );
    assert.equal(c.windowing.samplePeriodMs, 100);
    assert.equal(c.windowing.length, 64);
    assert.equal(c.windowing.hop, 16);
    assert.equal(c.windowing.maxGapSamples, 8);
    assert.equal(c.windowing.idleAfterMs, 300_000);
    assert.equal(c.thresholds.likelihood.historySamples, 72_000);
    assert.equal(c.thresholds.likelihood.averageSamples, 10);
    assert.equal(c.thresholds.likelihood.warmupSamples, 100);
    assert.equal(c.scorer.hysteresis.holdOffSamples, 200);
    assert.equal(c.scorer.hysteresis.resolveAfter, 2); // 3.2 s of windows 1.6 s apart
    assert.equal(c.scorer.silentAfterMs, 120_000);
    assert.equal(c.scorer.faults.flatlineSamples, 32);
    assert.deepEqual(c.scorer.perSensor.s1, { hysteresis: { holdOffSamples: 600 } });
    assert.equal(c.trainer.lookbackMs, 6 * 3_600_000);
    assert.equal(givenDurations(c)['scorer.hysteresis.holdOffSamples'], 20_000);
    assert.equal(givenDurations(c)['windowing.channels'], undefined);
  });

  it('numbers keep their unit, and the defaults load unchanged', () => {
    const c = parseConfigText('scorer: { hysteresis: { holdOffSamples: 123 } }', 'test.yaml');
    assert.equal(c.scorer.hysteresis.holdOffSamples, 123);
    assert.deepEqual(parseConfigText('', 'test.yaml'), defaultConfig);
  });

  it('a text that is no duration is named once, with the key and what it takes', () => {
    const p = problems('scorer: { hysteresis: { holdOffSamples: 20x } }');
    assert.equal(p.length, 1, p.join('\n'));
    assert.match(p[0] ?? '', /^scorer\.hysteresis\.holdOffSamples: "20x" is neither a number nor a duration: use a number of samples or a duration like 500ms, 30s, 10m, 2h$/);
  });

  it('a duration too short for an integer key still fails validation with the key named', () => {
    const p = problems('windowing: { length: 50ms }');
    assert.ok(p.some((m) => m.startsWith('windowing.length:')), p.join('\n'));
  });

  it('converts a section of its own on a grid given (a sensor type on its own sample period)', () => {
    const { raw, given } = convertDurations({ scorer: { hysteresis: { holdOffSamples: '10s' } } }, { samplePeriodMs: 500, hop: 4 });
    assert.deepEqual(raw, { scorer: { hysteresis: { holdOffSamples: 20 } } });
    assert.deepEqual(given, { 'scorer.hysteresis.holdOffSamples': 10_000 });
  });
});

describe('likelihood cross-checks', () => {
  it('refuses lengths longer than the estimate\'s memory, naming both keys', () => {
    const p = problems('thresholds: { likelihood: { historySamples: 500, warmupSamples: 1000 } }');
    assert.equal(p.length, 1, p.join('\n'));
    assert.match(p[0] ?? '', /thresholds\.likelihood\.warmupSamples \(1000\) is longer than thresholds\.likelihood\.historySamples \(500\)/);
  });

  it('refuses a learning level above the lowest severity band', () => {
    const p = problems('thresholds: { likelihood: { learnBelowScore: 0.6 } }');
    assert.ok(p.some((m) => m.startsWith('thresholds.likelihood.learnBelowScore (0.6) is above the lowest severity band (0.5)')), p.join('\n'));
  });
});

describe('per-sensor detection keys', () => {
  it('scorer.perSensor reaches the likelihood and novelty keys, in durations too', () => {
    const c = parseConfigText('scorer: { perSensor: { pump-7: { likelihood: { averageSamples: 5s, minSpread: 0.05 }, novelty: { enabled: false } } } }', 'test.yaml');
    assert.deepEqual(c.scorer.perSensor['pump-7'], { likelihood: { averageSamples: 100, minSpread: 0.05 }, novelty: { enabled: false } });
    const own = mergePolicy(c, 'pump-7');
    assert.equal(own.likelihood.averageSamples, 100, 'the scorer judges the sensor with its own keys');
    assert.equal(own.likelihood.minSpread, 0.05);
    assert.equal(own.likelihood.historySamples, defaultConfig.thresholds.likelihood.historySamples, 'the others stay model-wide');
    assert.equal(own.novelty.enabled, false);
    assert.equal(own.novelty.tolerance, defaultConfig.thresholds.novelty.tolerance);
    assert.equal(mergePolicy(c, 'pump-8').likelihood, c.thresholds.likelihood, 'another sensor gets the model-wide keys');
  });

  it('refuses an unknown likelihood key, a bad value, and lengths past the memory, each with the sensor named', () => {
    const p = problems('scorer: { perSensor: { pump-7: { likelihood: { averagSamples: 5, minSpread: -1, warmupSamples: 99999 } } } }');
    assert.ok(p.some((m) => m.startsWith('scorer.perSensor.pump-7.likelihood.averagSamples: unknown key')), p.join('\n'));
    assert.ok(p.some((m) => m.startsWith('scorer.perSensor.pump-7.likelihood.minSpread: must be a number ≥ 0')), p.join('\n'));
    assert.ok(p.some((m) => m.startsWith('scorer.perSensor.pump-7.likelihood.warmupSamples (99999) is longer than scorer.perSensor.pump-7.likelihood.historySamples (8640)')), p.join('\n'));
  });

  it('refuses per-sensor likelihood keys under a raw-error method, naming the method that reads them', () => {
    const p = problems('thresholds: { method: quantile }\nscorer: { perSensor: { pump-7: { likelihood: { minSpread: 0.05 } } } }');
    assert.deepEqual(p, ['scorer.perSensor.pump-7.likelihood: used only by thresholds.method likelihood; thresholds.method is quantile, which ignores it: remove it, or set thresholds.method: likelihood']);
  });
});

describe('durations per sensor type', () => {
  const fleet = [
    'scorer: { hysteresis: { holdOffSamples: 10s } }',
    'sensorTypes:',
    '  - { name: pump, sensors: [pump-*], windowing: { samplePeriodMs: 100ms } }',
    '  - { name: tank, sensors: [tank-*], windowing: { samplePeriodMs: 1s, length: 32s, hop: 8s }, thresholds: { likelihood: { averageSamples: 16s } } }',
  ].join('\n');

  it("a type converts its own durations, and the top level's, on its own sample period", async () => {
    const { typeConfig } = await import('../../../../common/config/sensor-types.ts');
    const c = parseConfigText(fleet, 'test.yaml');
    assert.equal(c.scorer.hysteresis.holdOffSamples, 200, 'top level: 10 s at 50 ms');
    assert.equal(typeConfig(c, 'pump').scorer.hysteresis.holdOffSamples, 100, 'pump: 10 s at 100 ms');
    const tank = typeConfig(c, 'tank');
    assert.equal(tank.scorer.hysteresis.holdOffSamples, 10, 'tank: 10 s at 1 s');
    assert.equal(tank.windowing.length, 32);
    assert.equal(tank.windowing.hop, 8);
    assert.equal(tank.thresholds.likelihood.averageSamples, 16);
  });

  it('a bad duration in a type is named once, with the type', () => {
    const p = problems('sensorTypes:\n  - { name: tank, sensors: [tank-*], scorer: { hysteresis: { holdOffSamples: 10 minutes } } }');
    assert.equal(p.length, 1, p.join('\n'));
    assert.match(p[0] ?? '', /^sensorTypes\[0\] \(tank\)\.scorer\.hysteresis\.holdOffSamples: "10 minutes" is neither a number nor a duration/);
  });

  it("a top-level scorer.perSensor duration converts on the sample period of the sensor's type", () => {
    const c = parseConfigText(
      [
        'windowing: { samplePeriodMs: 50 }',
        'defaultSensorType: tank',
        'sensorTypes:',
        '  - { name: pump, sensors: [pump-*], windowing: { channels: [a, b] } }',
        '  - { name: valve, sensors: [valve-1], windowing: { channels: [p], samplePeriodMs: 200 } }',
        '  - { name: tank, sensors: [tank-*], windowing: { channels: [l], samplePeriodMs: 500 } }',
        'scorer: { perSensor: { valve-1: { hysteresis: { holdOffSamples: 10s } }, pump-3: { hysteresis: { holdOffSamples: 10s } }, other-9: { faults: { flatlineSamples: 10s } } } }',
      ].join('\n'),
      'test.yaml',
    );
    assert.equal(c.scorer.perSensor['valve-1']?.hysteresis?.holdOffSamples, 50, 'valve: 10 s of 200 ms samples');
    assert.equal(c.scorer.perSensor['pump-3']?.hysteresis?.holdOffSamples, 200, 'pump (a glob): 10 s of the top-level 50 ms samples');
    assert.equal(c.scorer.perSensor['other-9']?.faults?.flatlineSamples, 20, 'no type matches: defaultSensorType (tank, 500 ms)');
  });
});
