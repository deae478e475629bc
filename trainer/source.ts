// Training data from Kafka: every record of a topic from a point in event
// time (seek by timestamp) up to the end offsets seen when the read started.
// Undecodable records are counted and skipped (ingest dead-letters its own bad
// input; a bad window here only means less training data).
import { randomUUID } from 'node:crypto';
import { fetchTopicEnds, readTopic, type KafkaClient, type TopicRead as TopicReader } from '../common/kafka/index.ts';
import type { Logger } from '../common/log.ts';
import type { OffsetRange } from '../common/model/artifact.ts';

export interface TopicRead<T> {
  records: T[];
  offsets: OffsetRange[];
  bad: number;
}

export interface ReadSinceOptions<T> {
  kafka: KafkaClient;
  topic: string;
  /** Event time (ms since the epoch) to start from. */
  sinceMs: number;
  decode(value: Buffer | null): T;
  log: Logger;
  /** Keep only the records this accepts (the trainer's own model keys); the others are neither kept nor counted. */
  keep?(record: T): boolean;
  /** Stop after this many records (newest are not favoured: callers keep the newest themselves). */
  limit?: number;
  /** Give up waiting for the end offsets after this long (ms); default 60 s. */
  timeoutMs?: number;
}

/** How many records the topic holds from `sinceMs` (event time) on: offsets only, no record is read; 0 when the topic does not exist. */
export async function countSince(options: { kafka: KafkaClient; topic: string; sinceMs: number }): Promise<number> {
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(options.topic)) return 0;
    const ends = new Map((await fetchTopicEnds(admin, options.topic)).map((o) => [o.partition, BigInt(o.high)]));
    let total = 0n;
    for (const s of await admin.fetchTopicOffsetsByTimestamp(options.topic, options.sinceMs)) {
      const end = ends.get(s.partition) ?? 0n;
      const from = BigInt(s.offset);
      if (from >= 0n && from < end) total += end - from;
    }
    return Number(total);
  } finally {
    await admin.disconnect();
  }
}

export async function readTopicSince<T>(options: ReadSinceOptions<T>): Promise<TopicRead<T>> {
  const { kafka, topic, log } = options;
  const result: TopicRead<T> = { records: [], offsets: [], bad: 0 };
  /** Where each partition starts (the first record at or after sinceMs), and the last offset taken. */
  let starts = new Map<number, bigint>();
  const last = new Map<number, bigint>();
  let reachedLimit!: () => void;
  const limitReached = new Promise<void>((resolve) => (reachedLimit = resolve));
  let read: TopicReader;
  try {
    read = await readTopic({
      client: kafka,
      topic,
      groupId: `sensorwatch.trainer.read.${randomUUID()}`,
      start: async (_ranges, admin) => {
        const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, options.sinceMs);
        starts = new Map(byTime.map((s) => [s.partition, BigInt(s.offset)]));
        return starts;
      },
      onRecords: (partition, records) => {
        if (options.limit !== undefined && result.records.length >= options.limit) return;
        for (const m of records) {
          let record: T;
          try {
            record = options.decode(m.value);
          } catch {
            result.bad++;
            continue;
          }
          if (options.keep === undefined || options.keep(record)) result.records.push(record);
        }
        const newest = records.at(-1);
        if (newest !== undefined) last.set(partition, BigInt(newest.offset));
        if (options.limit !== undefined && result.records.length >= options.limit) reachedLimit();
      },
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'topic_not_found') throw error;
    log.warn('topic does not exist (yet): no records from it', { topic });
    return result;
  }
  try {
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([read.caughtUp.then(() => 'done' as const), limitReached.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') log.warn('training data read timed out; using what arrived', { topic, records: result.records.length, timeoutMs });
  } finally {
    await read.stop();
  }
  for (const [partition, from] of starts) {
    const to = last.get(partition);
    if (to !== undefined) result.offsets.push({ topic, partition, from: from.toString(), to: to.toString() });
  }
  return result;
}
