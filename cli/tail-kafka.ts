// The Kafka edge of `alerts tail` and `dead-letters tail`: reads a topic with
// a throwaway consumer group (no offsets committed, the group deleted on
// stop), prints the last N (or every) record up to the end the topic had at
// start, then, with --follow, what comes after.
import { randomUUID } from 'node:crypto';
import { SensorwatchError } from '../common/errors.ts';
import type { Kafka, KafkaMessage } from '../common/kafka/types.ts';
import { lastRecords, startOffsets, type PartitionRange, type TailKind, type TailOptions, type TailRecord } from './tail.ts';

export interface TailSinks {
  /** One JSON line (without the newline). */
  line(text: string): void;
  /** A record that could not be decoded: reported, skipped. */
  skipped(where: { partition: number; offset: string }, error: Error): void;
}

export interface TailRun {
  /** Resolves once everything up to the end at start was printed (without --follow: the run is over then). */
  caughtUp: Promise<void>;
  /** Rejects when the consumer fails for good. */
  failed: Promise<never>;
  /** Stops reading and deletes the throwaway group. */
  stop(): Promise<void>;
}

export const tailGroupPrefix = 'sensorwatch.tail.';

async function partitionRanges(kafka: Kafka, topic: string, topicKey: string): Promise<PartitionRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      throw new SensorwatchError(
        `topic '${topic}' (topics.${topicKey}) does not exist: nothing was published to it yet, or the config (--config) names another topic or cluster (--brokers)`,
        { code: 'topic_not_found', details: { topic } },
      );
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }));
  } finally {
    await admin.disconnect();
  }
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // A group that never committed may already be gone: nothing to clean up.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function tailTopic(options: { kafka: Kafka; topic: string; kind: TailKind; tail: TailOptions; sinks: TailSinks }): Promise<TailRun> {
  const { kafka, topic, kind, tail, sinks } = options;
  const ranges = await partitionRanges(kafka, topic, kind.topicKey);
  const starts = startOffsets(ranges, tail);
  /** Per partition: the end at start, until it is reached. */
  const behind = new Map(ranges.filter((r) => (starts.get(r.partition) ?? r.high) < r.high).map((r) => [r.partition, r.high]));
  const ends = new Map(ranges.map((r) => [r.partition, r.high]));
  const history = lastRecords(tail.fromBeginning ? 0 : tail.lines);
  /** Records past the end at start that arrive before every partition caught up: printed after the history. */
  let early: string[] | null = [];
  let resolveCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));
  const checkCaughtUp = (): void => {
    if (behind.size > 0 || early === null) return;
    for (const r of history.take()) sinks.line(r.line);
    for (const line of early) sinks.line(line);
    early = null;
    resolveCaughtUp();
  };
  if (behind.size === 0 && !tail.follow) {
    checkCaughtUp();
    return { caughtUp, failed: new Promise<never>(() => undefined), stop: async () => undefined };
  }

  const groupId = `${tailGroupPrefix}${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  let rejectFailed!: (error: Error) => void;
  const failed = new Promise<never>((_resolve, reject) => (rejectFailed = reject));
  failed.catch(() => undefined);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) rejectFailed(payload.error);
  });
  // Progress by offsets, not by messages: a batch of only transaction markers
  // (the scorer publishes alerts in transactions) never reaches eachBatch.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const end = behind.get(payload.partition);
    if (end !== undefined && BigInt(payload.lastOffset) + 1n >= end) {
      behind.delete(payload.partition);
      checkCaughtUp();
    }
  });
  /** Per partition: the next offset not yet seen (a seek applied late must not print a record twice). */
  const next = new Map<number, bigint>();
  const take = (partition: number, message: KafkaMessage): void => {
    const offset = BigInt(message.offset);
    if (offset < (next.get(partition) ?? 0n)) return;
    next.set(partition, offset + 1n);
    if (tail.sensor !== undefined && kind.matchesKey !== undefined && !kind.matchesKey(tail.sensor, message.key)) return;
    let decoded: unknown;
    try {
      decoded = kind.decode(message.value);
    } catch (err) {
      sinks.skipped({ partition, offset: message.offset }, err as Error);
      return;
    }
    if (tail.sensor !== undefined && !kind.matches(tail.sensor, message.key, decoded)) return;
    const line = JSON.stringify(decoded);
    const inHistory = offset < (ends.get(partition) ?? 0n);
    if (inHistory && !tail.fromBeginning) history.offer({ partition, offset: message.offset, timestamp: Number(message.timestamp), line } satisfies TailRecord);
    else if (!inHistory && early !== null) early.push(line);
    else sinks.line(line);
  };

  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) take(batch.partition, message);
    },
  });
  // A group without offsets starts at the earliest (fromBeginning); only --lines 0 moves to the end.
  for (const r of ranges) {
    const start = starts.get(r.partition) ?? r.low;
    if (start !== r.low) consumer.seek({ topic, partition: r.partition, offset: start.toString() });
  }
  checkCaughtUp();

  let stopping: Promise<void> | null = null;
  return {
    caughtUp,
    failed,
    stop() {
      stopping ??= (async () => {
        await consumer.disconnect();
        await deleteGroup(kafka, groupId);
      })();
      return stopping;
    },
  };
}
