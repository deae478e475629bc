// Training data from Kafka: every record of a topic from a point in event
// time (seek by timestamp) up to the end offsets seen when the read started.
// Undecodable records are counted and skipped (ingest dead-letters its own bad
// input; a bad window here only means less training data).
import { randomUUID } from 'node:crypto';
import { fetchTopicEnds, type Kafka } from '../common/kafka/index.ts';
import type { Logger } from '../common/log.ts';
import type { OffsetRange } from '../common/model/artifact.ts';

export interface TopicRead<T> {
  records: T[];
  offsets: OffsetRange[];
  bad: number;
}

export interface ReadSinceOptions<T> {
  kafka: Kafka;
  topic: string;
  /** Event time (ms since the epoch) to start from. */
  sinceMs: number;
  decode(value: Buffer | null): T;
  log: Logger;
  /** Stop after this many records (newest are not favoured: callers keep the newest themselves). */
  limit?: number;
  /** Give up waiting for the end offsets after this long (ms); default 60 s. */
  timeoutMs?: number;
}

/** Where each partition's records from `sinceMs` (event time) start and where they end now; null when the topic does not exist. */
async function topicSpan(kafka: Kafka, topic: string, sinceMs: number): Promise<Map<number, { from: bigint; end: bigint }> | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return null;
    const high = await fetchTopicEnds(admin, topic);
    const starts = await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs);
    const ends = new Map(high.map((o) => [o.partition, BigInt(o.high)]));
    const span = new Map<number, { from: bigint; end: bigint }>();
    for (const s of starts) {
      const end = ends.get(s.partition) ?? 0n;
      const from = BigInt(s.offset);
      if (from >= 0n && from < end) span.set(s.partition, { from, end });
    }
    return span;
  } finally {
    await admin.disconnect();
  }
}

/** How many records the topic holds from `sinceMs` (event time) on: offsets only, no record is read. */
export async function countSince(options: { kafka: Kafka; topic: string; sinceMs: number }): Promise<number> {
  const span = await topicSpan(options.kafka, options.topic, options.sinceMs);
  let total = 0n;
  for (const { from, end } of span?.values() ?? []) total += end - from;
  return Number(total);
}

export async function readTopicSince<T>(options: ReadSinceOptions<T>): Promise<TopicRead<T>> {
  const { kafka, topic, log } = options;
  const span = await topicSpan(kafka, topic, options.sinceMs);
  if (span === null) {
    log.warn('topic does not exist (yet): no records from it', { topic });
    return { records: [], offsets: [], bad: 0 };
  }
  const todo = new Map<number, { from: bigint; end: bigint; last: bigint | null }>();
  for (const [partition, { from, end }] of span) todo.set(partition, { from, end, last: null });
  const offsets = (): OffsetRange[] =>
    [...todo.entries()]
      .filter(([, t]) => t.last !== null)
      .map(([partition, t]) => ({ topic, partition, from: t.from.toString(), to: (t.last ?? 0n).toString() }));
  const result: TopicRead<T> = { records: [], offsets: [], bad: 0 };
  if (todo.size === 0) return result;

  const consumer = kafka.consumer({ groupId: `sensorwatch.trainer.read.${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  const pending = new Set(todo.keys());
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const t = todo.get(batch.partition);
        if (t === undefined || !pending.has(batch.partition)) return;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset < t.from) continue;
          if (offset >= t.end) break;
          t.last = offset;
          try {
            result.records.push(options.decode(m.value));
          } catch {
            result.bad++;
          }
        }
        const reachedLimit = options.limit !== undefined && result.records.length >= options.limit;
        if ((t.last !== null && t.last + 1n >= t.end) || reachedLimit) {
          pending.delete(batch.partition);
          if (pending.size === 0 || reachedLimit) finish();
        }
      },
    });
    for (const [partition, t] of todo) consumer.seek({ topic, partition, offset: t.from.toString() });
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([done.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') log.warn('training data read timed out; using what arrived', { topic, records: result.records.length, timeoutMs });
  } finally {
    await consumer.disconnect();
  }
  result.offsets = offsets();
  return result;
}
