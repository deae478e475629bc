// Consumers: batches with manual offset commits. A batch's offsets are
// committed only after its handler resolved (for the scorer: after the alerts
// it produced were acknowledged), so a crash replays it instead of losing it.
import type { Consumer, ConsumerConfig, Kafka, KafkaMessage } from 'kafkajs';

export interface ConsumerOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBytesPerPartition?: number;
  /** Longest the broker holds a fetch open waiting for data; lower = lower latency. */
  maxWaitTimeMs?: number;
}

export function createConsumer(kafka: Kafka, options: ConsumerOptions): Consumer {
  const config: ConsumerConfig = {
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 500,
  };
  if (options.maxBytesPerPartition !== undefined) config.maxBytesPerPartition = options.maxBytesPerPartition;
  return kafka.consumer(config);
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** Call during long handlers so the group does not think this member is dead. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was reassigned: stop early. */
  isActive(): boolean;
}

export interface RunBatchesOptions {
  topics: string[];
  /** Where a group without committed offsets starts. */
  fromBeginning?: boolean;
  /** Batches of different partitions handled at once; default 1. */
  partitionsConsumedConcurrently?: number;
  /** Resolve only when the batch's effects are durable; throwing replays the batch. */
  handle(batch: ConsumedBatch): Promise<void>;
}

/** Pure: the offset to commit after handling messages up to `lastOffset` (Kafka commits the next offset to read). */
export function nextOffset(lastOffset: string): string {
  return (BigInt(lastOffset) + 1n).toString();
}

export async function runBatches(consumer: Consumer, options: RunBatchesOptions): Promise<void> {
  await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? false });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (batch.messages.length === 0 || !isRunning() || isStale()) return;
      await options.handle({
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages,
        heartbeat,
        isActive: () => isRunning() && !isStale(),
      });
      const last = batch.lastOffset();
      resolveOffset(last);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset(last) }]);
    },
  });
}
