// Kafka client errors as they leave the adapter: a code, whether a retry helps, the client's error as the cause.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SensorwatchError } from '../../../../common/errors.ts';
import { kafkaError, kafkaErrorCode } from '../../../../common/kafka/errors.ts';

const err = (fields: Record<string, unknown>): Error => Object.assign(new Error(String(fields.message ?? fields.name ?? 'e')), fields);

describe('kafkaError', () => {
  const cases: { name: string; error: unknown; code: string; retriable: boolean }[] = [
    { name: 'a protocol error the broker marks retriable', error: err({ name: 'KafkaJSProtocolError', type: 'LEADER_NOT_AVAILABLE', retriable: true }), code: 'kafka_leader_not_available', retriable: true },
    { name: 'a protocol error that retrying cannot fix', error: err({ name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false }), code: 'kafka_message_too_large', retriable: false },
    { name: 'the broker unreachable, retries exhausted', error: err({ name: 'KafkaJSNumberOfRetriesExceeded', originalError: err({ name: 'KafkaJSConnectionError' }) }), code: 'kafka_unavailable', retriable: true },
    { name: 'a bug', error: new TypeError('x is undefined'), code: 'kafka_failed', retriable: false },
    { name: 'not an Error', error: 'boom', code: 'kafka_failed', retriable: false },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.code}, ${c.retriable ? 'retriable' : 'not retriable'}`, () => {
      assert.equal(kafkaErrorCode(c.error), c.code);
      const mapped = kafkaError(c.error);
      assert.ok(mapped instanceof SensorwatchError);
      assert.equal(mapped.code, c.code);
      assert.equal(mapped.retriable, c.retriable);
      assert.equal(mapped.cause, c.error);
      assert.equal(mapped.message, c.error instanceof Error ? c.error.message : String(c.error));
    });
  }
  it('says what failed when told', () => {
    assert.equal(kafkaError(err({ message: 'Connection refused' }), 'reading topic t').message, 'reading topic t: Connection refused');
  });
  it('passes a SensorwatchError through as it is', () => {
    const own = new SensorwatchError('publishing stopped', { code: 'publish_closed', retriable: true });
    assert.equal(kafkaError(own), own);
  });
});
