// The dead-letter publisher shared by ingest and scorer: a bad record is never
// fatal; it goes to topics.deadLetter as a DeadLetter (Avro) with its original
// bytes and why (house style 5). Kafka stays behind `RecordProducer`.
import { encodeDeadLetter } from './codec/records.ts';
import type { DeadLetter, DeadLetterReason } from './types.ts';

/** One outgoing Kafka record. */
export interface OutgoingRecord {
  key: Buffer | string | null;
  value: Buffer;
  headers?: Record<string, string | Buffer>;
}

/** What the publisher needs from a producer: send resolves once the broker acknowledged every record. */
export interface RecordProducer {
  send(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
}

/** Where a record came from, as read off Kafka. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export function deadLetterOf(source: SourceRecord, verdict: { stage: string; reason: DeadLetterReason; message: string; now: number }): DeadLetter {
  return {
    sourceTopic: source.topic,
    partition: source.partition,
    offset: source.offset,
    stage: verdict.stage,
    reason: verdict.reason,
    message: verdict.message,
    key: source.key,
    value: source.value ?? Buffer.alloc(0),
    timestamp: verdict.now,
  };
}

export interface DeadLetterPublisher {
  /** Publishes a batch; resolves once all are acknowledged. */
  send(records: readonly DeadLetter[]): Promise<void>;
}

export function createDeadLetterPublisher(options: { topic: string; producer: RecordProducer }): DeadLetterPublisher {
  const { topic, producer } = options;
  return {
    async send(records) {
      if (records.length === 0) return;
      const out: OutgoingRecord[] = records.map((d) => ({
        key: d.key,
        value: encodeDeadLetter(d),
        // readable without decoding the Avro: kafka-console-consumer --property print.headers=true
        headers: { 'content-type': 'application/avro', 'dead-letter-reason': d.reason, 'dead-letter-stage': d.stage },
      }));
      await producer.send(topic, out);
    },
  };
}
