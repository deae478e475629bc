// The ingest side of the Kafka producer: one idempotent kafkajs producer behind
// the small RecordProducer interface, sends serialised (kafkajs' idempotent
// producer wants one request in flight), batches split so that no request
// outgrows a broker's default message.max.bytes (1 MiB).
import type { RecordProducer } from '../common/dead-letter.ts';
import type { Producer } from '../common/kafka/types.ts';

const MAX_REQUEST_BYTES = 512 * 1024;

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
      await producer.send({
        topic,
        acks: -1,
        messages: records.slice(start, end).map((r) => ({ key: r.key, value: r.value, ...(r.headers === undefined ? {} : { headers: r.headers }) })),
      });
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
