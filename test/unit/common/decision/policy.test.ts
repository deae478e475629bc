import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergePolicy, policyFor } from '../../../../common/decision/policy.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { Config } from '../../../../common/config/types.ts';

function withOverrides(scorerPerSensor: Config['scorer']['perSensor'], thresholdsPerSensor: Config['thresholds']['perSensor'] = {}): Config {
  return {
    ...defaultConfig,
    scorer: { ...defaultConfig.scorer, faults: { ...defaultConfig.scorer.faults, ranges: { ch0: [0, 10], ch1: [-5, 5] } }, perSensor: scorerPerSensor },
    thresholds: { ...defaultConfig.thresholds, perSensor: thresholdsPerSensor },
  };
}

describe('mergePolicy', () => {
  const config = withOverrides(
    {
      hot: {
        hysteresis: { resolveAfter: 9 },
        severities: [{ name: 'page', minScore: 2 }],
        faults: { flatlineSamples: 4, ranges: { ch1: [-50, 50] } },
        threshold: { multiplier: 2 },
      },
    },
    { hot: { multiplier: 1.5, quantile: 0.9 }, cold: { method: 'static', value: 3 } },
  );
  const cases: { name: string; sensor: string; check: (p: ReturnType<typeof mergePolicy>) => void }[] = [
    { name: 'a sensor without overrides gets the defaults', sensor: 'plain', check: (p) => {
      assert.deepEqual(p.hysteresis, defaultConfig.scorer.hysteresis);
      assert.deepEqual(p.severities, defaultConfig.scorer.severities);
      assert.equal(p.thresholds.perSensor, undefined);
      assert.equal(p.thresholds.multiplier, defaultConfig.thresholds.multiplier);
    } },
    { name: 'hysteresis merges key by key', sensor: 'hot', check: (p) => assert.deepEqual(p.hysteresis, { ...defaultConfig.scorer.hysteresis, resolveAfter: 9 }) },
    { name: 'severity bands are replaced as a whole', sensor: 'hot', check: (p) => assert.deepEqual(p.severities, [{ name: 'page', minScore: 2 }]) },
    { name: 'fault rules merge key by key and ranges channel by channel', sensor: 'hot', check: (p) => {
      assert.equal(p.faults.flatlineSamples, 4);
      assert.equal(p.faults.maxMissingFraction, defaultConfig.scorer.faults.maxMissingFraction);
      assert.deepEqual(p.faults.ranges, { ch0: [0, 10], ch1: [-50, 50] });
    } },
    { name: 'scorer.perSensor threshold keys win over thresholds.perSensor', sensor: 'hot', check: (p) => assert.deepEqual(p.thresholds.perSensor, { hot: { multiplier: 2, quantile: 0.9 } }) },
    { name: 'thresholds.perSensor alone applies', sensor: 'cold', check: (p) => assert.deepEqual(p.thresholds.perSensor, { cold: { method: 'static', value: 3 } }) },
  ];
  for (const c of cases) it(c.name, () => c.check(mergePolicy(config, c.sensor)));
});

describe('policyFor', () => {
  it('caches per config object, so a reloaded config is never served stale', () => {
    const a = withOverrides({ s: { hysteresis: { openAfter: 1 } } });
    const b = withOverrides({ s: { hysteresis: { openAfter: 3, openWindow: 3 } } });
    assert.equal(policyFor(a, 's'), policyFor(a, 's'));
    assert.equal(policyFor(a, 's').hysteresis.openAfter, 1);
    assert.equal(policyFor(b, 's').hysteresis.openAfter, 3);
  });
});
