import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { ConfigError, loadConfig, parseConfigText } from '../../../../common/config/load.ts';
import { keyDocs } from '../../../../common/config/schema.ts';

function problems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(yaml, 'test.yaml', env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
}

function leafPaths(o: unknown, prefix = ''): string[] {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => {
    const p = prefix === '' ? k : `${prefix}.${k}`;
    return p in keyDocs ? [p] : leafPaths(v, p);
  });
}

describe('config validation', () => {
  it('documents every key of the defaults, and documents no key that does not exist', () => {
    const leaves = leafPaths(defaultConfig).sort();
    assert.deepEqual(leaves, Object.keys(keyDocs).sort());
  });

  it('accepts an empty file and returns the defaults, frozen', () => {
    const c = parseConfigText('', 'empty.yaml');
    assert.deepEqual(c, defaultConfig);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.windowing));
    assert.ok(!Object.isFrozen(defaultConfig.windowing), 'the defaults object itself must stay unfrozen');
  });

  const cases: { name: string; yaml: string; expect: RegExp[] }[] = [
    { name: 'unknown key with a suggestion', yaml: 'windowing:\n  lenght: 32\n', expect: [/^windowing\.lenght: unknown key \(did you mean 'length'\?\)/] },
    { name: 'unknown section', yaml: 'scorrer: {}\n', expect: [/^scorrer: unknown key \(did you mean 'scorer'\?\)/] },
    { name: 'wrong type names key and expectation', yaml: 'windowing:\n  length: "64"\n', expect: [/^windowing\.length: "64" is neither a number nor a duration: use a number of samples or a duration like 500ms, 30s, 10m, 2h/] },
    { name: 'enum', yaml: 'model:\n  kind: vae\n', expect: [/^model\.kind: must be one of 'dense', 'dae', 'sae', 'conv', got "vae"/] },
    { name: 'hop larger than length says how to fix', yaml: 'windowing:\n  length: 32\n  hop: 40\n', expect: [/windowing\.hop \(40\) is larger than windowing\.length \(32\).*set hop to at most the length, e.g\. 8/] },
    { name: 'k of m', yaml: 'scorer:\n  hysteresis:\n    openAfter: 4\n    openWindow: 3\n', expect: [/openAfter \(4\) is larger than scorer\.hysteresis\.openWindow \(3\)/] },
    { name: 'severity bands ascending', yaml: 'scorer:\n  severities:\n    - {name: critical, minScore: 0.75}\n    - {name: warning, minScore: 0.5}\n', expect: [/scorer\.severities\[1\]: minScore 0.5 must be larger than the band before it \(0.75\)/] },
    { name: 'severity bands on the [0, 1] score', yaml: 'scorer:\n  severities:\n    - {name: warning, minScore: 3}\n', expect: [/scorer\.severities\[0\]: must be \{name: <non-empty string>, minScore: <number in \(0, 1\]>\}/] },
    { name: 'release level at or below the open level', yaml: 'scorer:\n  hysteresis:\n    releaseScore: 0.6\n', expect: [/scorer\.hysteresis\.releaseScore \(0.6\) is above the lowest severity band \(0.5\)/] },
    { name: 'per-sensor override keys', yaml: 'thresholds:\n  perSensor:\n    pump-1: {quantil: 0.9}\n', expect: [/thresholds\.perSensor\.pump-1\.quantil: unknown key/] },
    { name: 'per-sensor override values', yaml: 'scorer:\n  perSensor:\n    pump-1:\n      hysteresis: {resolveAfter: 0}\n', expect: [/scorer\.perSensor\.pump-1\.hysteresis\.resolveAfter: must be an integer ≥ 1/] },
    { name: 'channel ranges name real channels', yaml: 'scorer:\n  faults:\n    ranges:\n      temp: [0, 100]\n', expect: [/scorer\.faults\.ranges\.temp: no such channel/] },
    { name: 'sasl without credentials', yaml: 'kafka:\n  sasl:\n    mechanism: plain\n', expect: [/kafka\.sasl\.mechanism is 'plain' but .* empty/] },
    { name: 'tls files without ssl', yaml: 'kafka:\n  tls:\n    caFile: /etc/ca.pem\n', expect: [/kafka\.tls\.caFile set but kafka\.ssl is false: set kafka\.ssl: true/] },
    { name: 'a client certificate without its key', yaml: 'kafka:\n  ssl: true\n  tls:\n    certFile: /etc/c.pem\n', expect: [/kafka\.tls\.certFile and kafka\.tls\.keyFile go together/] },
    {
      name: 'every error at once',
      yaml: 'windowing:\n  length: 1\nmodel:\n  kind: x\nmetrics:\n  port: 70000\nbogus: 1\n',
      expect: [/^windowing\.length:/, /^model\.kind:/, /^metrics\.port:/, /^bogus: unknown key/],
    },
    { name: 'conv needs a length its strides divide', yaml: 'model:\n  kind: conv\nwindowing:\n  length: 30\n  hop: 10\n', expect: [/windowing\.length \(30\) must be divisible by 4 for the conv model.*use a length like 32/] },
    { name: 'YAML syntax', yaml: 'windowing: [\n', expect: [/^YAML syntax:/] },
  ];
  for (const c of cases) {
    it(`reports: ${c.name}`, () => {
      const got = problems(c.yaml);
      assert.equal(got.length, c.expect.length, `problems: ${JSON.stringify(got)}`);
      c.expect.forEach((re, i) => assert.match(got[i] ?? '', re));
    });
  }

  it('applies environment overrides for connection settings, typed', () => {
    const c = parseConfigText('', 'env', { KAFKA_BROKERS: 'a:9092, b:9093', KAFKA_SSL: 'true', SENSORWATCH_METRICS_PORT: '0' });
    assert.deepEqual(c.kafka.brokers, ['a:9092', 'b:9093']);
    assert.equal(c.kafka.ssl, true);
    assert.equal(c.metrics.port, 0);
  });

  it('names the env variable value when it is invalid', () => {
    assert.match(problems('', { SENSORWATCH_METRICS_PORT: 'abc' })[0] ?? '', /^metrics\.port: must be an integer/);
  });

  it('loads a file named by SENSORWATCH_CONFIG and says when a file is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-config-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'windowing:\n  length: 32\n  hop: 8\n');
    assert.equal(loadConfig({ env: { SENSORWATCH_CONFIG: file } }).windowing.length, 32);
    assert.throws(() => loadConfig({ file: join(dir, 'nope.yaml') }), /nope\.yaml[\s\S]*cannot read the file: ENOENT/);
  });
});
