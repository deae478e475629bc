import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { KafkaConfig } from '../../../../common/config/types.ts';
import { clientLogLevel as logLevel, kafkaClientOptions, mapKafkaLog, saslOptions, tlsOptions } from '../../../../common/kafka/options.ts';

const base: KafkaConfig = { ...defaultConfig.kafka, brokers: ['k1:9092', 'k2:9092'] };
const sasl = (mechanism: KafkaConfig['sasl']['mechanism'], username = 'u', password = 'p'): KafkaConfig['sasl'] => ({ mechanism, username, password });

describe('kafkaClientOptions', () => {
  const cases: { name: string; cfg: KafkaConfig; overrides?: Parameters<typeof kafkaClientOptions>[1]; expect: Record<string, unknown> }[] = [
    { name: 'plain brokers', cfg: base, expect: { brokers: ['k1:9092', 'k2:9092'], clientId: 'sensorwatch', ssl: false, sasl: undefined } },
    { name: 'TLS', cfg: { ...base, ssl: true }, expect: { ssl: true } },
    { name: 'SASL plain', cfg: { ...base, sasl: sasl('plain') }, expect: { sasl: { mechanism: 'plain', username: 'u', password: 'p' } } },
    { name: 'SCRAM-SHA-512 over TLS', cfg: { ...base, ssl: true, sasl: sasl('scram-sha-512', 'svc', 's3cret') }, expect: { ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 's3cret' } } },
    { name: 'broker override (local broker)', cfg: { ...base, brokers: [] }, overrides: { brokers: ['127.0.0.1:40000'] }, expect: { brokers: ['127.0.0.1:40000'] } },
    { name: 'client suffix', cfg: base, overrides: { clientSuffix: 'scorer' }, expect: { clientId: 'sensorwatch-scorer' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const options = kafkaClientOptions(c.cfg, c.overrides) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(c.expect)) assert.deepEqual(options[key], value, key);
      assert.equal(options.logLevel, logLevel.WARN);
    });
  }

  const failures: { name: string; cfg: KafkaConfig; code: string; mentions: RegExp }[] = [
    { name: 'no brokers', cfg: { ...base, brokers: [] }, code: 'no_brokers', mentions: /KAFKA_BROKERS/ },
    { name: 'SASL without password', cfg: { ...base, sasl: sasl('scram-sha-256', 'u', '') }, code: 'sasl_incomplete', mentions: /KAFKA_SASL_PASSWORD/ },
    { name: 'SASL without user', cfg: { ...base, sasl: sasl('plain', '', 'p') }, code: 'sasl_incomplete', mentions: /scram|plain/ },
  ];
  for (const f of failures) {
    it(`rejects ${f.name}`, () => {
      assert.throws(() => kafkaClientOptions(f.cfg), (error: Error & { code?: string }) => error.code === f.code && f.mentions.test(error.message));
    });
  }

  it('mechanism none ignores leftover credentials', () => {
    assert.equal(saslOptions(sasl('none', 'u', 'p')), undefined);
  });
});

describe('mapKafkaLog', () => {
  const entry = (level: (typeof logLevel)[keyof typeof logLevel], namespace: string, message: string) => ({ level, namespace, log: { message, timestamp: '' } });
  const cases: { name: string; input: ReturnType<typeof entry>; expect: string | undefined }[] = [
    { name: 'a retried failed response is debug', input: entry(logLevel.ERROR, 'Connection', 'Response Heartbeat(key: 12, version: 3)'), expect: 'debug' },
    { name: 'a consumer crash is error', input: entry(logLevel.ERROR, 'Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded'), expect: 'error' },
    { name: 'a handler error is error', input: entry(logLevel.ERROR, 'Runner', 'Error when calling eachBatch'), expect: 'error' },
    { name: 'rebalancing warnings are debug', input: entry(logLevel.WARN, 'Runner', 'The group is rebalancing, re-joining'), expect: 'debug' },
    { name: 'other warnings stay warn', input: entry(logLevel.WARN, 'Cluster', 'Failed to connect to seed broker'), expect: 'warn' },
    { name: 'info goes to debug', input: entry(logLevel.INFO, 'Consumer', 'Starting'), expect: 'debug' },
    { name: 'NOTHING is dropped', input: entry(logLevel.NOTHING, 'x', 'y'), expect: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(mapKafkaLog(c.input), c.expect));
});

describe('tlsOptions', () => {
  const tls = (fields: Partial<KafkaConfig['tls']>): KafkaConfig => ({ ...base, ssl: true, tls: { caFile: '', certFile: '', keyFile: '', serverName: '', ...fields } });
  const files: Record<string, string> = { '/etc/ca.pem': 'CA', '/etc/client.pem': 'CERT', '/etc/client.key': 'KEY' };
  const readFile = (path: string): Buffer => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return Buffer.from(text);
  };
  it('plain TLS with the system CAs, or none', () => {
    assert.equal(tlsOptions({ ...base, ssl: true }), true);
    assert.equal(tlsOptions({ ...base, ssl: false }), false);
  });
  it('a custom CA, a client certificate and key, a server name', () => {
    const options = tlsOptions(tls({ caFile: '/etc/ca.pem', certFile: '/etc/client.pem', keyFile: '/etc/client.key', serverName: 'kafka.internal' }), readFile);
    assert.deepEqual(options, { ca: [Buffer.from('CA')], cert: Buffer.from('CERT'), key: Buffer.from('KEY'), servername: 'kafka.internal' });
    const viaClient = kafkaClientOptions(tls({ caFile: '/etc/ca.pem' }), { readFile }) as unknown as { ssl: unknown };
    assert.deepEqual(viaClient.ssl, { ca: [Buffer.from('CA')] });
  });
  it('an unreadable file names the key and the path', () => {
    assert.throws(() => tlsOptions(tls({ keyFile: '/nope.key', certFile: '/etc/client.pem' }), readFile), (e: Error & { code?: string }) => e.code === 'tls_file_unreadable' && /kafka\.tls\.keyFile: cannot read \/nope\.key: ENOENT/.test(e.message));
  });
});
