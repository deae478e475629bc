// Threshold keys the chosen thresholds.method ignores are refused, with the
// method that uses them named (common/config/method-keys.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { ConfigError, parseConfigText } from '../../../../common/config/load.ts';
import { resetUnreadKeys } from '../../../../common/config/method-keys.ts';
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

describe('threshold keys the chosen method ignores', () => {
  const refused: { name: string; yaml: string; expect: RegExp[] }[] = [
    {
      name: 'a per-sensor threshold under the default likelihood',
      yaml: 'thresholds:\n  perSensor:\n    pump-1: {method: static, value: 0.8}\n',
      expect: [
        /^thresholds\.perSensor\.pump-1\.method: a per-sensor method applies only under a raw-error thresholds\.method .*; thresholds\.method is likelihood \(the default\), which ignores per-sensor thresholds: .*set scorer\.perSensor\.pump-1\.severities .* or scorer\.perSensor\.pump-1\.hysteresis instead$/,
        /^thresholds\.perSensor\.pump-1\.value: value \(used by thresholds\.method static\) applies only under a raw-error thresholds\.method .*thresholds\.method is likelihood \(the default\)/,
      ],
    },
    {
      name: 'scorer.perSensor threshold under an explicit likelihood',
      yaml: 'thresholds:\n  method: likelihood\nscorer:\n  perSensor:\n    pump-1:\n      threshold: {quantile: 0.9}\n',
      expect: [/^scorer\.perSensor\.pump-1\.threshold\.quantile: quantile \(used by thresholds\.method quantile or adaptive\) .*thresholds\.method is likelihood, which ignores/],
    },
    {
      name: 'a model-wide raw-error key under likelihood',
      yaml: 'thresholds:\n  quantile: 0.99\n  adaptiveK: 2\n',
      expect: [
        /^thresholds\.quantile: used only by thresholds\.method quantile or adaptive; thresholds\.method is likelihood \(the default\), which ignores it: remove it, or set thresholds\.method: quantile$/,
        /^thresholds\.adaptiveK: used only by thresholds\.method adaptive; .*set thresholds\.method: adaptive$/,
      ],
    },
    {
      name: 'likelihood keys changed under a raw-error method, each named (one at its default is not)',
      yaml: 'thresholds:\n  method: quantile\n  likelihood: {averageSamples: 5, combine: mean, error: both}\n',
      expect: [/^thresholds\.likelihood\.averageSamples: used only by thresholds\.method likelihood; thresholds\.method is quantile, which/, /^thresholds\.likelihood\.combine: /],
    },
    {
      name: 'another method\'s key, model-wide and per sensor',
      yaml: 'thresholds:\n  method: quantile\n  k: 3\n  perSensor:\n    c: {k: 2}\n',
      expect: [
        /^thresholds\.k: used only by thresholds\.method mean_std; thresholds\.method is quantile, which ignores it/,
        /^thresholds\.perSensor\.c\.k: used only by method mean_std; this sensor's method is quantile \(thresholds\.method\), which ignores it: remove it, or set method: mean_std in this override$/,
      ],
    },
    {
      name: 'a key of another method than the sensor\'s own',
      yaml: 'thresholds:\n  method: quantile\n  perSensor:\n    a: {method: static, quantile: 0.9}\n',
      expect: [/^thresholds\.perSensor\.a\.quantile: used only by method quantile or adaptive; this sensor's method is static, which ignores it/],
    },
    {
      name: 'the sensor\'s method from scorer.perSensor wins over thresholds.perSensor',
      yaml: 'thresholds:\n  method: quantile\n  perSensor:\n    a: {method: static, value: 2}\nscorer:\n  perSensor:\n    a:\n      threshold: {method: mean_std}\n',
      expect: [/^thresholds\.perSensor\.a\.value: used only by method static; this sensor's method is mean_std/],
    },
    {
      name: 'adaptive or likelihood chosen per sensor',
      yaml: 'thresholds:\n  method: quantile\n  perSensor:\n    b: {method: adaptive}\n    c: {method: likelihood}\n',
      expect: [
        /^thresholds\.perSensor\.b\.method: adaptive is chosen model-wide only \(thresholds\.method\); here the sensor would get a plain quantile threshold: per sensor choose quantile, mean_std, pot or static$/,
        /^thresholds\.perSensor\.c\.method: likelihood is chosen model-wide only/,
      ],
    },
  ];
  for (const c of refused) {
    it(`refuses: ${c.name}`, () => {
      const got = problems(c.yaml);
      assert.equal(got.length, c.expect.length, `problems: ${JSON.stringify(got, null, 1)}`);
      c.expect.forEach((re, i) => assert.match(got[i] ?? '', re));
    });
  }

  const accepted: { name: string; yaml: string }[] = [
    { name: 'the defaults', yaml: '' },
    { name: 'likelihood keys under likelihood, per-sensor bands and hysteresis', yaml: 'thresholds:\n  likelihood: {averageSamples: 5}\n  novelty: {tolerance: 0.2}\nscorer:\n  perSensor:\n    pump-7:\n      severities: [{name: warning, minScore: 0.6}]\n      hysteresis: {resolveAfter: 3}\n' },
    { name: 'a per-sensor static threshold under quantile', yaml: 'thresholds:\n  method: quantile\n  quantile: 0.99\n  multiplier: 1.1\n  perSensor:\n    s2: {method: static, value: 100}\n    s3: {multiplier: 2}\n' },
    { name: 'adaptive with its own keys and the quantile it is calibrated by', yaml: 'thresholds:\n  method: adaptive\n  quantile: 0.99\n  adaptiveK: 2\n  perSensor:\n    a: {method: static, value: 3}\n    b: {method: adaptive, quantile: 0.9}\n' },
    { name: 'a per-sensor method with its key', yaml: 'thresholds:\n  method: static\n  value: 2\n  perSensor:\n    d: {method: mean_std, k: 2}\n    e: {method: pot, potRisk: 0.01}\n' },
  ];
  for (const c of accepted) {
    it(`accepts: ${c.name}`, () => assert.deepEqual(problems(c.yaml), []));
  }

  it('accepts the whole default config (`sensorwatch config defaults`) with only the method changed', () => {
    for (const method of ['quantile', 'mean_std', 'pot', 'static', 'adaptive']) {
      const whole = structuredClone(defaultConfig) as unknown as { thresholds: Record<string, unknown> };
      whole.thresholds.method = method;
      assert.deepEqual(problems(stringify(whole)), [], method);
    }
  });

  it('an invalid method is reported once, not as ignored keys', () => {
    const got = problems('thresholds:\n  method: bogus\n  k: 3\n  perSensor:\n    a: {method: also-bogus, value: 1}\n');
    assert.equal(got.length, 2, JSON.stringify(got));
    assert.match(got[0] ?? '', /^thresholds\.method: must be one of/);
    assert.match(got[1] ?? '', /^thresholds\.perSensor\.a\.method: must be one of/);
  });

  it('what it accepts per sensor is what the scorer applies', () => {
    const c = parseConfigText('thresholds:\n  method: quantile\n  perSensor:\n    s2: {method: static, value: 100}\n', 'test.yaml');
    const p = mergePolicy(c, 's2');
    assert.equal(p.thresholds.method, 'quantile', 'the raw-error path (score.ts) is taken');
    assert.deepEqual(p.thresholds.perSensor, { s2: { method: 'static', value: 100 } }, 'and resolveThreshold gets the override');
  });
});

describe('resetUnreadKeys (eval --what-if: an edit merged over a whole run config)', () => {
  const run = { ...defaultConfig.thresholds, method: 'quantile', quantile: 0.99, multiplier: 2, likelihood: { ...defaultConfig.thresholds.likelihood, averageSamples: 5 } };

  it('puts back what the new method does not read and the edit did not write', () => {
    const merged = { ...run, method: 'static', value: 2 };
    const out = resetUnreadKeys(merged, { method: 'static', value: 2 }, defaultConfig);
    assert.equal(out.quantile, defaultConfig.thresholds.quantile);
    assert.equal(out.multiplier, defaultConfig.thresholds.multiplier);
    assert.deepEqual(out.likelihood, defaultConfig.thresholds.likelihood);
    assert.equal(out.value, 2);
    assert.equal(out.method, 'static');
    assert.doesNotThrow(() => parseConfigText(stringify({ thresholds: out }), 'what-if.yaml'));
  });

  it('keeps what the method reads, and what the edit wrote (config check then judges it)', () => {
    const kept = resetUnreadKeys({ ...run, method: 'adaptive' }, { method: 'adaptive' }, defaultConfig);
    assert.equal(kept.quantile, 0.99, 'adaptive is calibrated by the quantile');
    const written = resetUnreadKeys({ ...run, method: 'likelihood', k: 3 }, { method: 'likelihood', k: 3 }, defaultConfig);
    assert.equal(written.k, 3);
    assert.equal((written.likelihood as Record<string, unknown>).averageSamples, 5, 'likelihood reads its own keys');
    assert.throws(() => parseConfigText(stringify({ thresholds: written }), 'what-if.yaml'), (err) => err instanceof ConfigError && err.problems.some((p) => p.startsWith('thresholds.k: used only by thresholds.method mean_std')));
  });
});
