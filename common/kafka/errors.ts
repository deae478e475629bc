// Kafka client errors in our terms, mapped where they leave this folder: a
// SensorwatchError with a code and whether trying again can help
// (retriable.ts), the client's own error kept as the cause.
import { SensorwatchError, type KafkaBrokerErrorCode } from '../errors.ts';
import { isTransientKafkaError, kafkaErrorType } from './retriable.ts';

/**
 * Pure: the code for a failed Kafka call: `kafka_` and the broker's error type
 * in lower case when it sent one ('kafka_message_too_large'), else
 * `kafka_unavailable` when retrying can help, `kafka_failed` when not.
 */
export function kafkaErrorCode(error: unknown): KafkaBrokerErrorCode {
  const type = kafkaErrorType(error);
  if (type !== undefined) return `kafka_${type.toLowerCase()}`;
  return isTransientKafkaError(error) ? 'kafka_unavailable' : 'kafka_failed';
}

/** The error as a SensorwatchError (one already is passes as it is); the message stays the client's, prefixed with `what` when given. */
export function kafkaError(error: unknown, what?: string): SensorwatchError {
  if (error instanceof SensorwatchError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SensorwatchError(what === undefined ? message : `${what}: ${message}`, { code: kafkaErrorCode(error), retriable: isTransientKafkaError(error), cause: error });
}
