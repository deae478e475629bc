// The dead-letter publisher shared by ingest and scorer: a bad record is never
// fatal; it goes to topics.deadLetter as a DeadLetter (Avro) with its original
// bytes and why (house style 5). Kafka stays behind `RecordProducer`.
import { createHash } from 'node:crypto';
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

/**
 * A dead letter's copy must fit a broker's limits, whatever the original
 * was: one larger than this (encoded, with its key) goes out with its value
 * (and key) cut; any cluster's default message.max.bytes (1 MiB) holds it.
 */
export const MAX_DEAD_LETTER_BYTES = 512 * 1024;
/** How much of a cut value (and key) is kept. */
export const KEPT_BYTES_WHEN_CUT = 64 * 1024;
const MAX_MESSAGE_CHARS = 16 * 1024;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Pure: the dead letter as it can be published. Too large (or with an overlong
 * message): the value is cut to its first KEPT_BYTES_WHEN_CUT bytes, the key
 * too if long, the message says so with the original size and sha256, and
 * `cut` tells the publisher (header `dead-letter-value-cut`). Otherwise the
 * letter itself, unchanged.
 */
export function boundDeadLetter(d: DeadLetter, maxBytes = MAX_DEAD_LETTER_BYTES): { letter: DeadLetter; cut: boolean } {
  const message = d.message.length <= MAX_MESSAGE_CHARS ? d.message : `${d.message.slice(0, MAX_MESSAGE_CHARS)}... (message cut from ${d.message.length} characters)`;
  const size = d.value.length + 2 * (d.key?.length ?? 0) + Buffer.byteLength(message) + 256;
  if (size <= maxBytes) return { letter: message === d.message ? d : { ...d, message }, cut: false };
  const notes = [`value cut to its first ${Math.min(KEPT_BYTES_WHEN_CUT, d.value.length)} of ${d.value.length} bytes (sha256 ${sha256(d.value)})`];
  let key = d.key;
  if (key !== null && key.length > KEPT_BYTES_WHEN_CUT) {
    notes.push(`key cut to its first ${KEPT_BYTES_WHEN_CUT} of ${key.length} bytes (sha256 ${sha256(key)})`);
    key = key.subarray(0, KEPT_BYTES_WHEN_CUT);
  }
  return {
    letter: { ...d, key, value: d.value.subarray(0, KEPT_BYTES_WHEN_CUT), message: `${message} [too large to dead-letter whole: ${notes.join('; ')}]` },
    cut: true,
  };
}

/** The Kafka key of a dead letter: the original key, or its sha256 when that is too long to repeat. */
const recordKey = (key: Buffer | null): Buffer | string | null => (key !== null && key.length > KEPT_BYTES_WHEN_CUT ? `sha256:${sha256(key)}` : key);

export interface DeadLetterPublisher {
  /** Publishes a batch; resolves once all are acknowledged. */
  send(records: readonly DeadLetter[]): Promise<void>;
}

export function createDeadLetterPublisher(options: { topic: string; producer: RecordProducer }): DeadLetterPublisher {
  const { topic, producer } = options;
  return {
    async send(records) {
      if (records.length === 0) return;
      const out: OutgoingRecord[] = records.map((original) => {
        const { letter: d, cut } = boundDeadLetter(original);
        // readable without decoding the Avro: kafka-console-consumer --property print.headers=true
        const headers: Record<string, string> = { 'content-type': 'application/avro', 'dead-letter-reason': d.reason, 'dead-letter-stage': d.stage };
        if (cut) headers['dead-letter-value-cut'] = `${original.value.length} bytes, sha256 ${sha256(original.value)}`;
        return { key: recordKey(original.key), value: encodeDeadLetter(d), headers };
      });
      await producer.send(topic, out);
    },
  };
}
