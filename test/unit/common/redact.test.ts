// Secrets never reach a log line: by field name and by content.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../common/log.ts';
import { isSecretKey, redactText, redactValue } from '../../../common/redact.ts';

const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';

describe('redaction', () => {
  it('knows secret keys by their last segment', () => {
    for (const k of ['kafka.sasl.password', 'password', 'keyPassword', 'clientSecret', 'token', 'passphrase']) assert.ok(isSecretKey(k), k);
    for (const k of ['kafka.sasl.username', 'kafka.ssl.keyFile', 'kafka.ssl.caFile', 'windowing.length', 'keys']) assert.ok(!isSecretKey(k), k);
  });
  it('redacts private key material in text and nested values', () => {
    assert.equal(redactText(`bad key: ${pem} end`), 'bad key: -----[redacted] private key----- end');
    assert.deepEqual(redactValue({ kafka: { sasl: { username: 'u', password: 'p' } }, note: pem, list: [{ token: 't' }] }), {
      kafka: { sasl: { username: 'u', password: '[redacted]' } },
      note: '-----[redacted] private key-----',
      list: [{ token: '[redacted]' }],
    });
  });
  it('every log line is redacted: fields, nested config, error messages', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => void lines.push(l) });
    log.info('config', { config: { kafka: { sasl: { password: 'hunter2' } } } });
    log.error('tls failed', { error: new Error(`cannot parse ${pem}`) });
    log.warn(`message with ${pem}`, { password: 'hunter2' });
    const text = lines.join('');
    assert.doesNotMatch(text, /hunter2|MIIEvQ/);
    assert.match(text, /\[redacted\]/);
  });
});
