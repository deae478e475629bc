// Publishing in order or not at all: one idempotent kafkajs producer behind the
// small RecordProducer interface, shared by every service that publishes.
//
// - One request in flight; records handed over meanwhile are coalesced into the
//   next request (like the Java client's accumulator), so publishing keeps up
//   with a consumer that fetches small batches often. No request outgrows a
//   broker's default message.max.bytes (1 MiB).
// - A request that fails for a reason that can pass (broker down, leader
//   election, timeout: retriable.ts) is sent again, the same request, after a
//   growing pause, for as long as it takes; nothing queued behind it goes
//   first. The idempotent producer keeps the sequence numbers of a failed
//   request, so a retry of a request the broker did write is not written twice.
//   A broker outage therefore delays publishing; it never leaves a hole.
// - A request that can never succeed (record too large, producer fenced)
//   rejects its sends and every later one: the producer is broken, the caller
//   stops and restarts from its last committed offsets. Sending later records
//   past a failed one is exactly the hole this file exists to prevent.
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutgoingRecord, RecordProducer } from '../dead-letter.ts';
import { SensorwatchError } from '../errors.ts';
import { isTransientKafkaError } from './retriable.ts';
import type { Producer } from './types.ts';

const MAX_REQUEST_BYTES = 512 * 1024;
/** Per-record overhead counted against the request size (key, headers, framing). */
const RECORD_OVERHEAD = 64;

export interface OrderedProducerOptions {
  /** Largest request, bytes (a single larger record goes alone); default 512 KiB. */
  maxRequestBytes?: number;
  /** Pause before the first retry and the longest pause, ms; default 200 and 5000. */
  retryDelayMs?: { initial: number; max: number };
  /** Each failed attempt that will be retried (for a warning and a metric). */
  onRetry?(error: unknown, info: { attempt: number; delayMs: number; records: number }): void;
  /** The first attempt that succeeded after failures. */
  onRecovered?(info: { attempts: number; records: number }): void;
}

export interface OrderedProducer extends RecordProducer {
  /**
   * Records for several topics that must land together (the scorer's alerts and
   * the states that record them as decided): one request when they fit one,
   * never split between two because something else was queued first.
   */
  sendTogether(parts: readonly { topic: string; records: readonly OutgoingRecord[] }[]): Promise<void>;
  /** The permanent failure that stopped publishing, or null while it can go on. */
  failure(): Error | null;
  /** Records queued and not yet in a request. */
  pending(): number;
  /** Stops retrying (shutdown with the broker away): what is queued is rejected. */
  close(reason: string): void;
  /**
   * Resolves once everything handed to this producer before the call has been
   * acknowledged or has failed. Scoped to this producer: a reader of what one
   * service publishes (the scorer's state reload after a rebalance) waits on
   * that service's own producer, never on another service in the process.
   */
  settled(): Promise<void>;
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
  /** On the first chunk of a sendTogether: the bytes of all its chunks. */
  togetherBytes?: number;
}

const sizeOf = (r: OutgoingRecord): number => r.value.length + (r.key?.length ?? 0) + RECORD_OVERHEAD;

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

/** Pure: the pause before retry `attempt` (1-based): doubling from initial, capped at max. */
export function retryDelay(attempt: number, delays: { initial: number; max: number }): number {
  return Math.min(delays.max, delays.initial * 2 ** Math.min(30, attempt - 1));
}

export function createOrderedProducer(producer: Producer, options: OrderedProducerOptions = {}): OrderedProducer {
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const delays = options.retryDelayMs ?? { initial: 200, max: 5000 };
  const queue: Chunk[] = [];
  let busy = false;
  /** The promise of every send not yet settled, for settled(). */
  const unsettled = new Set<Promise<void>>();
  let broken: Error | null = null;
  let closed: string | null = null;
  let wake: AbortController | null = null;

  /** The chunks at the head of the queue that fit one request (at least one). */
  const nextRequest = (): Chunk[] => {
    const taken: Chunk[] = [];
    let bytes = 0;
    while (queue.length > 0) {
      const head = queue[0] as Chunk;
      if (taken.length > 0 && bytes + head.bytes > maxRequestBytes) break;
      // records sent together start a request of their own unless all of them fit this one
      if (taken.length > 0 && head.togetherBytes !== undefined && bytes + head.togetherBytes > maxRequestBytes) break;
      taken.push(head);
      bytes += head.bytes;
      queue.shift();
    }
    return taken;
  };

  const toBatch = (chunks: Chunk[]): { topic: string; messages: { key: Buffer | string | null; value: Buffer; headers?: Record<string, string | Buffer> }[] }[] => {
    const byTopic = new Map<string, { key: Buffer | string | null; value: Buffer; headers?: Record<string, string | Buffer> }[]>();
    for (const c of chunks) {
      const list = byTopic.get(c.topic) ?? [];
      for (const r of c.records) list.push({ key: r.key, value: r.value, ...(r.headers === undefined ? {} : { headers: r.headers }) });
      byTopic.set(c.topic, list);
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  };

  /** Sends one request until it is acknowledged; throws only for a permanent failure or close(). */
  const sendRequest = async (chunks: Chunk[]): Promise<void> => {
    const topicMessages = toBatch(chunks);
    const records = chunks.reduce((n, c) => n + c.records.length, 0);
    for (let attempt = 1; ; attempt++) {
      if (closed !== null) throw new SensorwatchError(`publishing stopped: ${closed}`, { code: 'publish_closed' });
      try {
        await producer.sendBatch({ topicMessages, acks: -1 });
        if (attempt > 1) options.onRecovered?.({ attempts: attempt, records });
        return;
      } catch (error) {
        if (!isTransientKafkaError(error)) {
          throw new SensorwatchError(`publishing stopped to keep the order of records: ${(error as Error).message}`, { code: 'publish_failed', cause: error });
        }
        const delayMs = retryDelay(attempt, delays);
        options.onRetry?.(error, { attempt, delayMs, records });
        wake = new AbortController();
        await sleep(delayMs, undefined, { signal: wake.signal }).catch(() => undefined);
        wake = null;
      }
    }
  };

  const rejectAll = (chunks: Chunk[], error: Error): void => {
    for (const c of [...chunks, ...queue.splice(0)]) {
      if (c.entry.settled) continue;
      c.entry.settled = true;
      c.entry.reject(error);
    }
  };

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      while (queue.length > 0 && broken === null) {
        const chunks = nextRequest().filter((c) => !c.entry.settled);
        if (chunks.length === 0) continue;
        try {
          await sendRequest(chunks);
        } catch (error) {
          if ((error as SensorwatchError).code === 'publish_failed') broken = error as Error;
          rejectAll(chunks, error as Error);
          continue;
        }
        for (const c of chunks) {
          if (--c.entry.remaining === 0 && !c.entry.settled) {
            c.entry.settled = true;
            c.entry.resolve();
          }
        }
      }
    } finally {
      busy = false;
    }
  };

  /** Queues the parts' chunks as one send (resolved when all are acknowledged) and starts the pump. */
  const enqueue = (parts: readonly { topic: string; records: readonly OutgoingRecord[] }[]): Promise<void> => {
    if (broken !== null) return Promise.reject(broken);
    if (closed !== null) return Promise.reject(new SensorwatchError(`publishing stopped: ${closed}`, { code: 'publish_closed' }));
    const chunks = parts.filter((p) => p.records.length > 0).flatMap((p) => chunkRecords(p.records, maxRequestBytes).map((c) => ({ topic: p.topic, ...c })));
    if (chunks.length === 0) return Promise.resolve();
    const sent = new Promise<void>((resolve, reject) => {
      const entry: Entry = { remaining: chunks.length, settled: false, resolve, reject };
      const together = new Set(chunks.map((c) => c.topic)).size > 1 ? chunks.reduce((n, c) => n + c.bytes, 0) : undefined;
      for (const [i, c] of chunks.entries()) queue.push({ ...c, entry, ...(i === 0 && together !== undefined ? { togetherBytes: together } : {}) });
      void pump();
    });
    unsettled.add(sent);
    const forget = (): void => void unsettled.delete(sent);
    sent.then(forget, forget);
    return sent;
  };

  return {
    send: (topic, records) => enqueue([{ topic, records }]),
    sendTogether: (parts) => enqueue(parts),
    settled: async () => {
      await Promise.allSettled([...unsettled]);
    },
    failure: () => broken,
    pending: () => queue.reduce((n, c) => n + c.records.length, 0),
    close(reason) {
      closed = reason;
      wake?.abort();
      if (!busy) rejectAll([], new SensorwatchError(`publishing stopped: ${reason}`, { code: 'publish_closed' }));
    },
  };
}
