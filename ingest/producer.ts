// The ingest side of the Kafka producer: one idempotent kafkajs producer behind
// the small RecordProducer interface, sends serialised (kafkajs' idempotent
// producer wants one request in flight), batches split so that no request
// outgrows a broker's default message.max.bytes (1 MiB).
import type { RecordProducer } from '../common/dead-letter.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from '../common/kafka/types.ts';

const MAX_REQUEST_BYTES = 512 * 1024;

const metadataLagErrors = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER']);

function isMetadataLag(err: unknown): boolean {
  for (let e = err as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (typeof e.type === 'string' && metadataLagErrors.has(e.type)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

export function serialisedProducer(producer: Producer): RecordProducer {
  let tail: Promise<unknown> = Promise.resolve();
  const sendAll: RecordProducer['send'] = async (topic, records) => {
    let start = 0;
    while (start < records.length) {
      let bytes = 0;
      let end = start;
      while (end < records.length && (end === start || bytes + (records[end]?.value.length ?? 0) <= MAX_REQUEST_BYTES)) {
        bytes += (records[end]?.value.length ?? 0) + 64;
        end++;
      }
      const messages = records.slice(start, end).map((r) => ({ key: r.key, value: r.value, ...(r.headers === undefined ? {} : { headers: r.headers }) }));
      for (let attempt = 1; ; attempt++) {
        try {
          await producer.send({ topic, acks: -1, messages });
          break;
        } catch (err) {
          // A topic another process has just created may not be in every
          // broker's metadata yet; kafkajs' own retries can run out first.
          if (attempt >= 4 || !isMetadataLag(err)) throw err;
          await sleep(500 * attempt);
        }
      }
      start = end;
    }
  };
  return {
    send(topic, records) {
      if (records.length === 0) return Promise.resolve();
      const run = tail.then(() => sendAll(topic, records));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
