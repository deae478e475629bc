// Which Kafka failures the ordered producer retries and which stop it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTransientKafkaError, kafkaErrorType } from '../../../../common/kafka/retriable.ts';

const err = (fields: Record<string, unknown>): Error => Object.assign(new Error(String(fields.name ?? 'e')), fields);

describe('isTransientKafkaError', () => {
  const cases: [string, unknown, boolean][] = [
    ['connection refused', err({ name: 'KafkaJSConnectionError', retriable: true }), true],
    ['retries exhausted on a connection error', err({ name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, originalError: err({ name: 'KafkaJSConnectionError' }) }), true],
    ['leader not available', err({ name: 'KafkaJSProtocolError', type: 'LEADER_NOT_AVAILABLE', retriable: true }), true],
    ['request timeout', err({ name: 'KafkaJSRequestTimeoutError' }), true],
    ['message too large', err({ name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false }), false],
    ['too large, wrapped in retries exhausted', err({ name: 'KafkaJSNumberOfRetriesExceeded', originalError: err({ name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false }) }), false],
    ['a bug', new TypeError('x is undefined'), false],
    ['not an error', 'boom', false],
  ];
  for (const [name, error, transient] of cases) {
    it(`${name}: ${transient ? 'retry' : 'stop'}`, () => assert.equal(isTransientKafkaError(error), transient));
  }
  it('finds the protocol error type in the chain', () => {
    assert.equal(kafkaErrorType(err({ name: 'KafkaJSNumberOfRetriesExceeded', originalError: err({ type: 'MESSAGE_TOO_LARGE' }) })), 'MESSAGE_TOO_LARGE');
  });
});
