// Reading a whole topic: every record of its partitions from a start offset
// up to the end each partition had when the read began (the model store's
// catch-up, the trainer's data, `alerts tail`), and, when following, what
// comes after (the scorer's state reader). One throwaway consumer group,
// nothing committed. Progress counts offsets, not records: a batch of only
// transaction markers (the scorer publishes in transactions) carries no
// record but still moves a partition to its end.
import type { Consumer as KafkaJsConsumer } from 'kafkajs';
import { SensorwatchError } from '../errors.ts';
import { deleteGroupQuietly, fetchTopicEnds } from './admin.ts';
import { createConsumer, kafkajsConsumerOf } from './consumer.ts';
import type { Admin, IncomingRecord, KafkaClient } from './types.ts';

/** A partition's offsets when the read began. */
export interface PartitionRange {
  partition: number;
  /** The earliest offset still on the topic. */
  low: bigint;
  /** The offset the next record will get. */
  high: bigint;
}

export interface ReadTopicOptions {
  client: KafkaClient;
  topic: string;
  /** The reader's own consumer group; nothing is committed to it. */
  groupId: string;
  /**
   * Where each partition starts, given the ranges at the start; default: its
   * low offset. A partition left out is not read (without `follow`) or read
   * from its beginning (with `follow`); an offset at or past the end waits for new records.
   */
  start?(ranges: readonly PartitionRange[], admin: Admin): ReadonlyMap<number, bigint> | Promise<ReadonlyMap<number, bigint>>;
  /**
   * Keep reading past the end, for as long as the reader runs; default false:
   * only records below the end at start are handed over, and the reader stops
   * itself once it reached the end.
   */
  follow?: boolean;
  /** The records of one fetched batch, in offset order (never one before its partition's start, never one twice). */
  onRecords(partition: number, records: readonly IncomingRecord[]): void | Promise<void>;
  /** An admin client already connected (used, never disconnected); default: one of the reader's own. */
  admin?: Admin;
  /** Longest a fetch waits for new records, ms; default 200. */
  maxWaitTimeMs?: number;
  /** Delete the group when stopping (a reader that runs often leaves no trail of groups); default false. */
  deleteGroup?: boolean;
}

export interface TopicRead {
  /** The partitions and their offsets when the read began. */
  ranges: readonly PartitionRange[];
  /** Resolves once every partition was read up to its end at start. */
  caughtUp: Promise<void>;
  /**
   * Waits until every record written before this call has been handed over
   * (fresh end offsets); resolves with the partitions still behind at
   * `deadline` (ms since the epoch), empty once caught up.
   */
  catchUp(deadline: number): Promise<number[]>;
  /** Rejects when the consumer failed for good. */
  failed: Promise<never>;
  stop(): Promise<void>;
}

/** Pure: the partitions with something to read before their end, and where each starts. */
export function readPlan(ranges: readonly PartitionRange[], starts: ReadonlyMap<number, bigint>): Map<number, { from: bigint; end: bigint }> {
  const plan = new Map<number, { from: bigint; end: bigint }>();
  for (const r of ranges) {
    const from = starts.get(r.partition);
    if (from !== undefined && from >= 0n && from < r.high) plan.set(r.partition, { from, end: r.high });
  }
  return plan;
}

/** A topic's partitions and their offsets (the leader retry of fetchTopicEnds); a missing topic is a `topic_not_found` error. */
export async function topicRanges(admin: Admin, topic: string, deadline?: number): Promise<PartitionRange[]> {
  if (!(await admin.listTopics()).includes(topic)) {
    throw new SensorwatchError(`topic '${topic}' does not exist`, { code: 'topic_not_found', details: { topic } });
  }
  const offsets = await fetchTopicEnds(admin, topic, deadline);
  return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }));
}

/** Runs `fn` with the given admin client, or with one of its own that is connected and closed around it. */
async function withAdmin<T>(client: KafkaClient, admin: Admin | undefined, fn: (admin: Admin) => Promise<T>): Promise<T> {
  if (admin !== undefined) return fn(admin);
  const own = client.admin();
  await own.connect();
  try {
    return await fn(own);
  } finally {
    await own.disconnect().catch(() => undefined);
  }
}

export async function readTopic(options: ReadTopicOptions): Promise<TopicRead> {
  const { client, topic } = options;
  const follow = options.follow ?? false;
  const { ranges, starts } = await withAdmin(client, options.admin, async (admin) => {
    const ranges = await topicRanges(admin, topic);
    const starts = options.start === undefined ? new Map(ranges.map((r) => [r.partition, r.low])) : await options.start(ranges, admin);
    return { ranges, starts };
  });
  const plan = readPlan(ranges, starts);
  /** Per partition: the next offset not yet handed over (a seek applied late must not hand a record twice). */
  const next = new Map<number, bigint>();
  for (const [partition, from] of starts) next.set(partition, from);

  let resolveCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));
  let rejectFailed!: (error: Error) => void;
  const failed = new Promise<never>((_resolve, reject) => (rejectFailed = reject));
  failed.catch(() => undefined);
  /** Partitions not yet read to their end at start. */
  const behind = new Set(plan.keys());
  const advance = (partition: number, nextOffset: bigint): void => {
    if (nextOffset > (next.get(partition) ?? -1n)) next.set(partition, nextOffset);
    const p = plan.get(partition);
    if (p !== undefined && nextOffset >= p.end && behind.delete(partition) && behind.size === 0) resolveCaughtUp();
  };
  if (behind.size === 0) resolveCaughtUp();
  const done = { caughtUp, failed, ranges, catchUp: async () => [], stop: async () => undefined };
  if (behind.size === 0 && !follow) return done;

  const consumer = createConsumer(client, {
    groupId: options.groupId,
    maxWaitTimeMs: options.maxWaitTimeMs ?? 200,
    onFatal: (error) => rejectFailed(error),
  });
  const raw: KafkaJsConsumer = kafkajsConsumerOf(consumer);
  raw.on(raw.events.END_BATCH_PROCESS, ({ payload }) => advance(payload.partition, BigInt(payload.lastOffset) + 1n));

  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const p = plan.get(batch.partition);
      if (!follow && p === undefined) return;
      const taken: IncomingRecord[] = [];
      let from = next.get(batch.partition) ?? 0n;
      for (const record of batch.messages) {
        const offset = BigInt(record.offset);
        if (offset < from) continue;
        if (!follow && offset >= (p?.end ?? 0n)) break;
        taken.push(record);
        from = offset + 1n;
      }
      if (taken.length > 0) {
        next.set(batch.partition, from);
        await options.onRecords(batch.partition, taken);
      }
    },
  });
  // The group has no offsets: it starts at the earliest; a later start is a
  // seek (without follow, a partition with nothing to read starts at its end).
  for (const r of ranges) {
    const start = plan.get(r.partition)?.from ?? (follow ? (starts.get(r.partition) ?? r.low) : r.high);
    if (start !== r.low) consumer.seek({ topic, partition: r.partition, offset: start.toString() });
  }

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await consumer.disconnect();
      if (options.deleteGroup === true) await withAdmin(client, options.admin, (admin) => deleteGroupQuietly(admin, options.groupId)).catch(() => undefined);
    })();
    return stopping;
  };
  if (!follow) void caughtUp.then(stop);

  const catchUp = async (deadline: number): Promise<number[]> => {
    const ends = await withAdmin(client, options.admin, (admin) => fetchTopicEnds(admin, topic, deadline));
    for (;;) {
      const late = ends.filter((e) => BigInt(e.high) > BigInt(e.low) && (next.get(e.partition) ?? 0n) < BigInt(e.high)).map((e) => e.partition);
      if (late.length === 0 || Date.now() > deadline || stopping !== null) return late;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { ...done, catchUp, stop };
}
