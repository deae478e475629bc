// The ingest side of the Kafka producer: one idempotent kafkajs producer behind
// the small RecordProducer interface. kafkajs' idempotent producer wants one
// request in flight, so requests go one at a time; records handed over while a
// request is in flight are coalesced into the next one (like the Java client's
// accumulator), so publishing keeps up with a consumer that fetches small
// batches often. No request outgrows a broker's default message.max.bytes (1 MiB).
import type { OutgoingRecord, RecordProducer } from '../common/dead-letter.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from '../common/kafka/types.ts';

const MAX_REQUEST_BYTES = 512 * 1024;
/** Per-record overhead counted against the request size (key, headers, framing). */
const RECORD_OVERHEAD = 64;

const metadataLagErrors = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER']);

function isMetadataLag(err: unknown): boolean {
  for (let e = err as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (typeof e.type === 'string' && metadataLagErrors.has(e.type)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/** One send() call: resolved once all its chunks are acknowledged, rejected at the first that fails. */
interface Entry {
  remaining: number;
  settled: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Chunk {
  topic: string;
  records: readonly OutgoingRecord[];
  bytes: number;
  entry: Entry;
}

const sizeOf = (r: OutgoingRecord): number => r.value.length + RECORD_OVERHEAD;

/** Pure: a send's records cut into chunks of at most maxBytes (a record larger than that goes alone). */
export function chunkRecords(records: readonly OutgoingRecord[], maxBytes: number): { records: OutgoingRecord[]; bytes: number }[] {
  const chunks: { records: OutgoingRecord[]; bytes: number }[] = [];
  let current: { records: OutgoingRecord[]; bytes: number } | null = null;
  for (const r of records) {
    const size = sizeOf(r);
    if (current === null || (current.records.length > 0 && current.bytes + size > maxBytes)) {
      current = { records: [], bytes: 0 };
      chunks.push(current);
    }
    current.records.push(r);
    current.bytes += size;
  }
  return chunks;
}

export function serialisedProducer(producer: Producer, maxRequestBytes = MAX_REQUEST_BYTES): RecordProducer {
  const queue: Chunk[] = [];
  let busy = false;

  /** The chunks at the head of the queue that fit one request (at least one). */
  const nextRequest = (): Chunk[] => {
    const taken: Chunk[] = [];
    let bytes = 0;
    while (queue.length > 0) {
      const head = queue[0] as Chunk;
      if (taken.length > 0 && bytes + head.bytes > maxRequestBytes) break;
      taken.push(head);
      bytes += head.bytes;
      queue.shift();
    }
    return taken;
  };

  const sendRequest = async (chunks: Chunk[]): Promise<void> => {
    const byTopic = new Map<string, { key: Buffer | string | null; value: Buffer; headers?: Record<string, string | Buffer> }[]>();
    for (const c of chunks) {
      const list = byTopic.get(c.topic) ?? [];
      for (const r of c.records) list.push({ key: r.key, value: r.value, ...(r.headers === undefined ? {} : { headers: r.headers }) });
      byTopic.set(c.topic, list);
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    for (let attempt = 1; ; attempt++) {
      try {
        await producer.sendBatch({ topicMessages, acks: -1 });
        return;
      } catch (err) {
        // A topic another process has just created may not be in every
        // broker's metadata yet; kafkajs' own retries can run out first.
        if (attempt >= 4 || !isMetadataLag(err)) throw err;
        await sleep(500 * attempt);
      }
    }
  };

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      while (queue.length > 0) {
        const chunks = nextRequest().filter((c) => !c.entry.settled);
        if (chunks.length === 0) continue;
        try {
          await sendRequest(chunks);
          for (const c of chunks) {
            if (--c.entry.remaining === 0 && !c.entry.settled) {
              c.entry.settled = true;
              c.entry.resolve();
            }
          }
        } catch (error) {
          for (const c of chunks) {
            if (c.entry.settled) continue;
            c.entry.settled = true;
            c.entry.reject(error);
          }
        }
      }
    } finally {
      busy = false;
    }
  };

  return {
    send(topic, records) {
      if (records.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const chunks = chunkRecords(records, maxRequestBytes);
        const entry: Entry = { remaining: chunks.length, settled: false, resolve, reject };
        for (const c of chunks) queue.push({ topic, records: c.records, bytes: c.bytes, entry });
        void pump();
      });
    },
  };
}
