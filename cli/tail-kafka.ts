// The Kafka edge of `alerts tail` and `dead-letters tail`: reads a topic with
// a throwaway consumer group (no offsets committed, the group deleted on
// stop), prints the last N (or every) record up to the end the topic had at
// start, then, with --follow, what comes after.
import { randomUUID } from 'node:crypto';
import { SensorwatchError } from '../common/errors.ts';
import { readTopic, type IncomingRecord, type KafkaClient, type TopicRead } from '../common/kafka/index.ts';
import { lastRecords, startOffsets, type TailKind, type TailOptions, type TailRecord } from './tail.ts';

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

export async function tailTopic(options: { kafka: KafkaClient; topic: string; kind: TailKind; tail: TailOptions; sinks: TailSinks }): Promise<TailRun> {
  const { kafka, topic, kind, tail, sinks } = options;
  const history = lastRecords(tail.fromBeginning ? 0 : tail.lines);
  /** Per partition: the end at start. */
  let ends = new Map<number, bigint>();
  /** Records past the end at start that arrive before every partition caught up: printed after the history. */
  let early: string[] | null = [];
  const take = (partition: number, message: IncomingRecord): void => {
    const offset = BigInt(message.offset);
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

  let read: TopicRead;
  try {
    read = await readTopic({
      client: kafka,
      topic,
      groupId: `${tailGroupPrefix}${randomUUID()}`,
      follow: tail.follow,
      deleteGroup: true,
      start: (ranges) => {
        ends = new Map(ranges.map((r) => [r.partition, r.high]));
        return startOffsets(ranges, tail);
      },
      onRecords: (partition, records) => {
        for (const message of records) take(partition, message);
      },
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'topic_not_found') throw error;
    throw new SensorwatchError(
      `topic '${topic}' (topics.${kind.topicKey}) does not exist: nothing was published to it yet, or the config (--config) names another topic or cluster (--brokers)`,
      { code: 'topic_not_found', details: { topic }, cause: error },
    );
  }
  const caughtUp = read.caughtUp.then(() => {
    for (const r of history.take()) sinks.line(r.line);
    for (const line of early ?? []) sinks.line(line);
    early = null;
  });
  return { caughtUp, failed: read.failed, stop: read.stop };
}
