// Pure: whether a failed Kafka call can succeed if it is simply tried again
// (the broker is down or electing a leader, a request timed out) or never will
// (the record is too large, the producer was fenced, a bug). The rules for
// publishing in order (ordered-producer.ts) depend on telling the two apart.

/** kafkajs error names that mean "the cluster was not reachable or not ready". */
const transientNames = new Set([
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'KafkaJSStaleTopicMetadataAssignment',
]);

interface ErrorLike {
  name?: unknown;
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and what it wraps (kafkajs: originalError; standard: cause), outermost first. */
export function errorChain(error: unknown, maxDepth = 8): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let e = error as ErrorLike | undefined | null;
  while (e !== undefined && e !== null && typeof e === 'object' && chain.length < maxDepth) {
    chain.push(e);
    e = (e.originalError ?? e.cause) as ErrorLike | undefined;
  }
  return chain;
}

/**
 * True when trying again can help. A protocol error the broker marks as not
 * retriable (MESSAGE_TOO_LARGE, INVALID_PRODUCER_EPOCH, TOPIC_AUTHORIZATION_FAILED …)
 * anywhere in the chain makes it permanent; otherwise a kafkajs error that is
 * marked retriable or names an unreachable / not-ready cluster is transient.
 * Anything else (a TypeError, an unknown error) is permanent: retrying a bug
 * forever would hide it.
 */
export function isTransientKafkaError(error: unknown): boolean {
  const chain = errorChain(error);
  if (chain.some((e) => e.name === 'KafkaJSProtocolError' && e.retriable === false)) return false;
  return chain.some((e) => e.retriable === true || (typeof e.name === 'string' && transientNames.has(e.name)));
}

/** The protocol error type (e.g. 'MESSAGE_TOO_LARGE') somewhere in the chain, if any. */
export function kafkaErrorType(error: unknown): string | undefined {
  for (const e of errorChain(error)) if (typeof e.type === 'string') return e.type;
  return undefined;
}
