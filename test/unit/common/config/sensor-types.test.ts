// Sensor types (issue 22): matching, merged configs, and what `config check` refuses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { ConfigError, parseConfigText } from '../../../../common/config/load.ts';
import { globMatches, patternCovers, sensorTypeWarnings, typeConfig, typeNames, typeOf } from '../../../../common/config/sensor-types.ts';
import { modelKeyOf, modelKeysOf, typeOfModelKey, windowTypeProblem } from '../../../../common/model/keys.ts';
import type { SignalWindow } from '../../../../common/types.ts';
import { codeBlocks, userDocs } from '../../docs/markdown.ts';

function problems(yaml: string): string[] {
  try {
    parseConfigText(yaml, 'test.yaml');
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
}

const fleet = `
sensorTypes:
  - name: pump
    sensors: ['pump-*', 'p-17']
    windowing: { channels: [vib_x, vib_y, vib_z, bearing_temp, motor_current], units: { bearing_temp: degC }, samplePeriodMs: 100, length: 32, hop: 8 }
    model: { hidden: [64], codeSize: 16, groups: { big: [pump-1, pump-2] } }
    scorer: { topChannels: 2 }
    trainer: { minWindows: 100 }
  - name: valve
    sensors: ['valve-?', 'v-*']
    windowing: { channels: [position, dp] }
  - name: tank
    sensors: [tank-1]
    windowing: { channels: [level], samplePeriodMs: 500, length: 16, hop: 4 }
`;

describe('sensor types: matching and merged configs', () => {
  const config = parseConfigText(fleet, 'fleet.yaml');

  it('first match in file order; exact ids and globs; no match and no defaultSensorType: undefined', () => {
    assert.equal(typeOf(config, 'pump-9'), 'pump');
    assert.equal(typeOf(config, 'p-17'), 'pump');
    assert.equal(typeOf(config, 'valve-3'), 'valve');
    assert.equal(typeOf(config, 'valve-33'), undefined, '? is one character');
    assert.equal(typeOf(config, 'v-anything'), 'valve');
    assert.equal(typeOf(config, 'tank-1'), 'tank');
    assert.equal(typeOf(config, 'tank-2'), undefined);
    assert.equal(typeOf(config, 'tank-2'), undefined, 'cached answer is the same');
    assert.deepEqual(typeNames(config), ['pump', 'valve', 'tank']);
  });

  it('defaultSensorType catches the rest', () => {
    const c = parseConfigText(`${fleet}\ndefaultSensorType: tank\n`, 'f.yaml');
    assert.equal(typeOf(c, 'whatever'), 'tank');
    assert.equal(typeOf(c, 'pump-1'), 'pump');
  });

  it('a type\'s sections are merged over the top level (type wins), lists replaced whole', () => {
    const pump = typeConfig(config, 'pump');
    assert.deepEqual(pump.windowing.channels, ['vib_x', 'vib_y', 'vib_z', 'bearing_temp', 'motor_current']);
    assert.equal(pump.windowing.samplePeriodMs, 100);
    assert.equal(pump.windowing.allowedLatenessMs, defaultConfig.windowing.allowedLatenessMs, 'unset keys from the top level');
    assert.deepEqual(pump.model.hidden, [64]);
    assert.equal(pump.model.kind, defaultConfig.model.kind);
    assert.equal(pump.trainer.minWindows, 100);
    assert.equal(pump.trainer.schedule, defaultConfig.trainer.schedule);
    assert.equal(pump.scorer.topChannels, 2);
    assert.deepEqual(pump.windowing.units, { bearing_temp: 'degC' });
    assert.equal(typeConfig(config, 'pump'), pump, 'cached');
    const valve = typeConfig(config, 'valve');
    assert.equal(valve.windowing.samplePeriodMs, defaultConfig.windowing.samplePeriodMs);
    assert.equal(valve.scorer.topChannels, defaultConfig.scorer.topChannels);
    assert.throws(() => typeConfig(config, 'nope'), /no sensor type 'nope'/);
  });

  it('model keys: the type, or <type>.<group>; the implicit type keeps today\'s keys', () => {
    assert.equal(modelKeyOf(config, 'pump', 'pump-1'), 'pump.big');
    assert.equal(modelKeyOf(config, 'pump', 'pump-3'), 'pump');
    assert.equal(modelKeyOf(config, 'valve', 'v-1'), 'valve');
    assert.deepEqual(modelKeysOf(config), ['pump', 'pump.big', 'valve', 'tank']);
    assert.equal(typeOfModelKey(config, 'pump.big'), 'pump');
    assert.equal(typeOfModelKey(config, 'gone'), undefined);
    const implicit = parseConfigText('model: { groups: { g1: [a, b] } }', 'i.yaml');
    assert.equal(modelKeyOf(implicit, 'default', 'a'), 'g1');
    assert.equal(modelKeyOf(implicit, 'default', 'z'), 'default');
    assert.deepEqual(modelKeysOf(implicit), ['default', 'g1']);
  });

  it('windowTypeProblem: a window of an undefined type, of a moved sensor, or of another layout', () => {
    const w = (over: Partial<SignalWindow>): SignalWindow => ({ sensorId: 'v-1', seq: 1, start: 0, end: 1, channels: ['position', 'dp'], samples: [], missing: 0, badQuality: 0, sensorType: 'valve', ...over });
    assert.equal(windowTypeProblem(config, w({})), null);
    assert.match(windowTypeProblem(config, w({ sensorType: 'gone' })) ?? '', /type gone, which the config does not define/);
    assert.match(windowTypeProblem(config, w({ sensorType: 'pump', channels: ['vib_x', 'vib_y', 'vib_z', 'bearing_temp', 'motor_current'] })) ?? '', /is now of type valve/);
    assert.match(windowTypeProblem(config, w({ channels: ['dp', 'position'] })) ?? '', /has channels dp, position; the type has position, dp/);
    const { sensorType: _t, ...untyped } = w({});
    assert.equal(windowTypeProblem(defaultConfig, untyped), null, 'implicit type: a window of no type is default');
  });
});

describe('sensor types: patterns', () => {
  it('globMatches', () => {
    assert.ok(globMatches('pump-*', 'pump-'));
    assert.ok(globMatches('a?c', 'abc'));
    assert.ok(!globMatches('a?c', 'ac'));
    assert.ok(globMatches('a.b', 'a.b'));
    assert.ok(!globMatches('a.b', 'axb'), 'regex characters are literal');
  });

  it('patternCovers is sound on the shapes that matter', () => {
    const covers: [string, string][] = [['*', 'x'], ['*', 'a*b?'], ['pump-*', 'pump-7'], ['pump-*', 'pump-1?'], ['pump-*', 'pump-*-x'], ['*-7', 'pump-7'], ['p?mp', 'pump'], ['p?mp', 'p?mp'], ['a*', 'a*']];
    for (const [p, q] of covers) assert.ok(patternCovers(p, q), `${p} covers ${q}`);
    const not: [string, string][] = [['pump-?', 'pump-*'], ['pump-?', 'pump-12'], ['pump-1', 'pump-?'], ['a*', '?b'], ['x', 'y'], ['pump-*', 'pumpx'], ['a?', 'a*']];
    for (const [p, q] of not) assert.ok(!patternCovers(p, q), `${p} does not cover ${q}`);
  });
});

describe('config check refuses, naming the type and key', () => {
  const base = (types: string, extra = ''): string => `sensorTypes:\n${types}\n${extra}`;

  it('an exact id listed by two types', () => {
    const p = problems(base(`  - { name: a, sensors: [x-1], windowing: { channels: [u] } }\n  - { name: b, sensors: [x-1], windowing: { channels: [v] } }`));
    assert.ok(p.some((m) => /sensorTypes\[1\] \(b\)\.sensors\[0\]: sensor id 'x-1' is also listed by type a/.test(m)), p.join('\n'));
  });

  it('a pattern covered by an earlier one', () => {
    const p = problems(base(`  - { name: a, sensors: ['x-*'], windowing: { channels: [u] } }\n  - { name: b, sensors: [x-1, 'x-1?', 'y-*'], windowing: { channels: [v] } }`));
    assert.ok(p.some((m) => /sensorTypes\[1\] \(b\)\.sensors\[0\]: 'x-1' can never match: the earlier pattern 'x-\*' of type a/.test(m)), p.join('\n'));
    assert.ok(p.some((m) => /sensorTypes\[1\] \(b\)\.sensors\[1\]: 'x-1\?' can never match/.test(m)), p.join('\n'));
    assert.ok(!p.some((m) => /sensors\[2\]/.test(m)), 'y-* is fine');
  });

  it('a model group spanning types (top level or in a type)', () => {
    const types = `  - { name: a, sensors: ['a-*'], windowing: { channels: [u] } }\n  - { name: b, sensors: ['b-*'], windowing: { channels: [v] }, model: { groups: { g: [b-1, a-1] } } }`;
    const p = problems(base(types, 'model: { groups: { mixed: [a-1, b-1] } }'));
    assert.ok(p.some((m) => /model\.groups\.mixed: its sensors are of types a, b: a model group cannot span types/.test(m)), p.join('\n'));
    assert.ok(p.some((m) => /sensorTypes\[1\] \(b\)\.model\.groups\.g: sensor a-1 is of type a/.test(m)), p.join('\n'));
  });

  it('zero channels, duplicate channels, a duplicate type name, a bad name, an empty sensors list', () => {
    const p = problems(
      base(
        `  - { name: a, sensors: [a-1], windowing: { channels: [] } }\n  - { name: b, sensors: [b-1], windowing: { channels: [x, x] } }\n  - { name: a, sensors: [c-1] }\n  - { name: 'no.dots', sensors: [d-1] }\n  - { name: e, sensors: [] }`,
      ),
    );
    const want = [/sensorTypes\[0\] \(a\)\.windowing\.channels: must be a list of strings \(at least one\)/, /sensorTypes\[1\] \(b\)\.windowing\.channels: .*each once/, /sensorTypes\[2\] \(a\)\.name: type a is already defined/, /sensorTypes\[3\]\.name: must be 1 to 64 letters/, /sensorTypes\[4\] \(e\)\.sensors: must be a non-empty list/];
    for (const re of want) assert.ok(p.some((m) => re.test(m)), `${re}\n${p.join('\n')}`);
  });

  it('nonsense per-type settings: the top-level cross-checks run on each merged type, and type-only ones', () => {
    const p = problems(
      base(
        `  - { name: a, sensors: [a-1], windowing: { channels: [u], length: 8, hop: 16 } }\n  - { name: b, sensors: [b-1], windowing: { channels: [v], samplePeriodMs: 60000, length: 1000, idleAfterMs: 1000, units: { w: m } }, trainer: { lookbackMs: 3600000 } }\n  - { name: c, sensors: [c-1], windowing: { channels: [v], maxFutureMs: 5 }, scorer: { batch: { maxSize: 3 } }, thresholds: { perSensor: {} } }`,
      ),
    );
    const want = [
      /sensorTypes\[0\] \(a\): windowing\.hop \(16\) is larger than windowing\.length \(8\)/,
      /sensorTypes\[1\] \(b\): a window spans windowing\.length × samplePeriodMs = 60000000 ms, longer than trainer\.lookbackMs/,
      /sensorTypes\[1\] \(b\)\.windowing\.idleAfterMs \(1000\) is not longer than its samplePeriodMs/,
      /sensorTypes\[1\] \(b\): windowing\.units\.w: no such channel/,
      /sensorTypes\[2\] \(c\)\.windowing\.maxFutureMs: cannot be set per type/,
      /sensorTypes\[2\] \(c\)\.scorer\.batch: cannot be set per type/,
      /sensorTypes\[2\] \(c\)\.thresholds\.perSensor: cannot be set per type/,
    ];
    for (const re of want) assert.ok(p.some((m) => re.test(m)), `${re}\n${p.join('\n')}`);
  });

  it('unknown keys in a type and in its sections, with the known ones', () => {
    const p = problems(base(`  - { name: a, sensors: [a-1], colour: red, windowing: { chanels: [u] } }`));
    assert.ok(p.some((m) => /sensorTypes\[0\] \(a\)\.colour: unknown key/.test(m)), p.join('\n'));
    assert.ok(p.some((m) => /sensorTypes\[0\] \(a\)\.windowing\.chanels: unknown key \(did you mean 'channels'\?\)/.test(m)), p.join('\n'));
  });

  it('defaultSensorType must name a type', () => {
    assert.ok(problems(`${fleet}\ndefaultSensorType: boiler\n`).some((m) => /defaultSensorType: 'boiler' names no type; types are pump, valve, tank/.test(m)));
    assert.ok(problems('defaultSensorType: boiler').some((m) => /sensorTypes is empty/.test(m)));
    assert.deepEqual(problems('defaultSensorType: default'), []);
  });

  it('a pattern matching no known id is a warning, not an error', () => {
    const c = parseConfigText(base(`  - { name: a, sensors: ['zz-*', 'sensor-*'], windowing: { channels: [u] } }`), 'w.yaml');
    const w = sensorTypeWarnings(c);
    assert.equal(w.length, 1);
    assert.match(w[0] ?? '', /sensorTypes\[0\] \(a\)\.sensors\[0\]: 'zz-\*' matches no sensor id known/);
  });
});

describe('today\'s config files stay valid unchanged', () => {
  it('`config defaults` output loads as the defaults (one implicit type)', () => {
    const c = parseConfigText(stringify(defaultConfig), 'defaults.yaml');
    assert.deepEqual(JSON.parse(JSON.stringify(c)), JSON.parse(JSON.stringify(defaultConfig)));
    assert.deepEqual(typeNames(c), ['default']);
    assert.equal(typeOf(c, 'anything'), 'default');
    assert.equal(typeConfig(c, 'default'), c, 'the implicit type runs with the config itself');
  });

  it('the shipped config file and every YAML config example of the README and docs load, as one implicit type', () => {
    const shipped = readFileSync(new URL('../../../../deploy/config/sensorwatch.yml', import.meta.url), 'utf8');
    const top = Object.keys(defaultConfig);
    const examples = userDocs().flatMap((d) =>
      codeBlocks(d.text)
        .filter((b) => (b.lang === 'yaml' || b.lang === 'yml') && top.some((k) => b.body.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#'))?.startsWith(`${k}:`)))
        .map((b) => ({ where: `${d.path}:${b.line}`, body: b.body })),
    );
    const blocks = [{ where: 'deploy/config/sensorwatch.yml', body: shipped }, ...examples];
    assert.ok(examples.length >= 1, 'examples found');
    for (const b of blocks) {
      assert.deepEqual(problems(b.body), [], b.where);
      const c = parseConfigText(b.body, b.where);
      if (c.sensorTypes.length === 0) assert.equal(typeConfig(c, 'default'), c, `${b.where}: the implicit type is the config itself`);
    }
  });
});
