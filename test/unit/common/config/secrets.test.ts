// Config errors name the key and never print a secret: values under secret
// keys, and under sections that hold credentials (kafka.sasl, kafka.ssl), are
// described by their kind only; a value JSON cannot print (1e400 → Infinity)
// is named as such, not as null.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfigText } from '../../../../common/config/load.ts';
import { shownValue } from '../../../../common/config/shown.ts';

function problems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(yaml, 'test.yaml', env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
}

const secret = 'hunter2secret';
const cases: { name: string; yaml: string; env?: Record<string, string>; key: RegExp }[] = [
  { name: 'a number as the password', yaml: 'kafka:\n  sasl:\n    password: 123456789\n', key: /^kafka\.sasl\.password: must be a string, got a number \(not shown/ },
  { name: 'a list as the password', yaml: `kafka:\n  sasl:\n    password: ["${secret}"]\n`, key: /^kafka\.sasl\.password: must be a string, got a list \(not shown/ },
  { name: 'a mapping as the password', yaml: `kafka:\n  sasl:\n    password: {value: ${secret}}\n`, key: /^kafka\.sasl\.password: / },
  { name: 'the sasl section given as a string', yaml: `kafka:\n  sasl: ${secret}\n`, key: /^kafka\.sasl: must be a section .*got a string \(not shown/ },
  { name: 'the sasl section given as a list', yaml: `kafka:\n  sasl: [${secret}]\n`, key: /^kafka\.sasl: / },
  { name: 'the ssl switch given key material', yaml: `kafka:\n  ssl: {key: ${secret}}\n`, key: /^kafka\.ssl: must be true or false, got a mapping \(not shown/ },
  { name: 'the ssl switch given a string', yaml: `kafka:\n  ssl: ${secret}\n`, key: /^kafka\.ssl: / },
  { name: 'the kafka section given as a string', yaml: `kafka: ${secret}\n`, key: /^kafka: must be a section/ },
  { name: 'a bad mechanism next to a good password', yaml: `kafka:\n  sasl:\n    mechanism: oauth\n    password: ${secret}\n`, key: /^kafka\.sasl\.mechanism: / },
  { name: 'a secret in an unknown key under sasl', yaml: `kafka:\n  sasl:\n    pasword: ${secret}\n`, key: /^kafka\.sasl\.pasword: unknown key/ },
  { name: 'an unquoted secret in broken YAML', yaml: `kafka:\n  sasl:\n    password: "${secret}\n`, key: /^YAML syntax: .*line \d+/ },
  { name: 'a password from the environment with a bad mechanism', yaml: '', env: { KAFKA_SASL_PASSWORD: secret, KAFKA_SASL_MECHANISM: secret }, key: /^kafka\.sasl\.mechanism: / },
];

describe('config errors never print a secret', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = problems(c.yaml, c.env);
      assert.ok(got.some((p) => c.key.test(p)), `expected a problem matching ${c.key}, got ${JSON.stringify(got)}`);
      for (const p of got) assert.doesNotMatch(p, /hunter2secret|123456789/, `a secret in: ${p}`);
    });
  }

  it('values that are not secrets are still shown', () => {
    assert.match(problems('kafka:\n  sasl:\n    username: 42\n').join('\n'), /kafka\.sasl\.username: must be a string, got a number \(not shown/);
    assert.match(problems('windowing:\n  length: "64"\n').join('\n'), /^windowing\.length: "64" is neither a number nor a duration: use a number of samples or a duration like 500ms, 30s, 10m, 2h/);
    assert.match(problems('kafka:\n  clientId: 7\n').join('\n'), /kafka\.clientId: must be a non-empty string, got 7|kafka\.clientId: must be a string, got 7/);
  });
});

describe('config errors name values JSON cannot print', () => {
  it('1e400 is named Infinity, not null', () => {
    const got = problems('scorer:\n  batch:\n    maxSize: 1e400\n');
    assert.equal(got.length, 1, JSON.stringify(got));
    assert.match(got[0] ?? '', /^scorer\.batch\.maxSize: must be an integer .*, got Infinity \(a number too large to represent, such as 1e400\)/);
    assert.doesNotMatch(got[0] ?? '', /got null/);
  });
  it('non-finite numbers inside lists and NaN', () => {
    assert.equal(shownValue('windowing.channels', [1, Infinity, -Infinity, Number.NaN]), '[1,Infinity,-Infinity,NaN]');
    assert.match(shownValue('scorer.batch.maxSize', Number.NaN), /^NaN \(not a number\)/);
    assert.match(problems('windowing:\n  length: .nan\n').join('\n'), /windowing\.length: .*got NaN/);
  });
});
