// Consumers: batches with manual offset commits. The rule, for every service:
// commit only what is durable and no longer needed. A batch's offset is
// committed only after its effects are acknowledged (for the scorer: the
// alerts it produced; for ingest: its windows and dead letters), and never
// past the oldest record the handler still holds (ingest: a reading in a
// reorder buffer or an unfinished window, `TakenBatch.commitOffset`), so a
// crash at any point replays what is needed instead of losing it. Commits run
// behind the fetch loop, in order per partition.
import type { Consumer as KafkaJsConsumer, ConsumerConfig } from 'kafkajs';
import { SensorwatchError } from '../errors.ts';
import { kafkajsOf } from './client.ts';
import { kafkaError } from './errors.ts';
import type { Consumer, IncomingRecord, KafkaClient } from './types.ts';

export interface ConsumerOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBytesPerPartition?: number;
  /** Longest the broker holds a fetch open waiting for data; lower = lower latency. */
  maxWaitTimeMs?: number;
  /** The member (re)joined the group: partitions by topic. A rejoin resumes every partition at its committed offset. */
  onJoin?(assignment: Record<string, number[]>): void;
  /** The consumer crashed and restarts itself (it rejoins: onJoin follows). */
  onRestart?(error: SensorwatchError): void;
  /** The consumer crashed and will not restart: nothing more is consumed. */
  onFatal?(error: SensorwatchError): void;
}

/** Consumers made by createConsumer, with their kafkajs consumer. */
const made = new WeakMap<Consumer, KafkaJsConsumer>();

/** The kafkajs consumer behind one made by createConsumer (this folder's own use). */
export function kafkajsConsumerOf(consumer: Consumer): KafkaJsConsumer {
  const raw = made.get(consumer);
  if (raw === undefined) throw new SensorwatchError('not a consumer made by createConsumer (common/kafka/consumer.ts)', { code: 'kafka_consumer_unknown' });
  return raw;
}

export function createConsumer(client: KafkaClient, options: ConsumerOptions): Consumer {
  const config: ConsumerConfig = {
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 500,
  };
  if (options.maxBytesPerPartition !== undefined) config.maxBytesPerPartition = options.maxBytesPerPartition;
  const raw = kafkajsOf(client).consumer(config);
  const { onJoin, onRestart, onFatal } = options;
  if (onJoin !== undefined) raw.on(raw.events.GROUP_JOIN, (e) => onJoin(e.payload.memberAssignment));
  if (onRestart !== undefined || onFatal !== undefined) {
    raw.on(raw.events.CRASH, (e) => {
      const error = kafkaError(e.payload.error);
      if (e.payload.restart) onRestart?.(error);
      else onFatal?.(error);
    });
  }
  const consumer: Consumer = raw;
  made.set(consumer, raw);
  return consumer;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: IncomingRecord[];
  /** Call during long handlers so the group does not think this member is dead. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was reassigned: stop early. */
  isActive(): boolean;
}

/** What a pipelined handler returns: the batch is taken in; its effects become durable later. */
export interface TakenBatch {
  /** Resolves once the batch's effects are acknowledged; its offsets are committed only then. */
  durable: Promise<void>;
  /**
   * The offset to commit once durable: the oldest record of this partition
   * the handler still needs (kept in memory, not yet reflected in anything
   * published). Default, and never more than: the offset after the batch.
   */
  commitOffset?: string;
}

export interface RunBatchesOptions {
  topics: string[];
  /** Where a group without committed offsets starts. */
  fromBeginning?: boolean;
  /** Batches of different partitions handled at once; default 1. */
  partitionsConsumedConcurrently?: number;
  /**
   * Handles one batch. Resolving with nothing means its effects are durable;
   * resolving with `{ durable }` lets the next fetch start while they become
   * durable (pipelining). Throwing replays the batch.
   */
  handle(batch: ConsumedBatch): Promise<void | TakenBatch>;
  /** Pipelined batches per partition not yet durable before the next fetch waits; default 4. */
  maxInFlight?: number;
  /** A commit failed (e.g. during a rebalance): the batch may be delivered again. */
  onCommitError?(error: unknown, where: { topic: string; partition: number; offset: string }): void;
  /**
   * While a later batch of the partition is already queued behind a durable
   * one, its commit is left to that later batch unless the partition's last
   * commit is older than this, ms; default 200. The last batch queued is
   * always committed. Fewer commit requests, and no batch waits for another's
   * commit round trip; a crash replays at most this much more.
   */
  commitIntervalMs?: number;
}

export interface BatchRun {
  /** Stops fetching, waits until every batch taken in is durable and committed, leaves the group. */
  stop(): Promise<void>;
}

/** Pure: the offset to commit after handling messages up to `lastOffset` (Kafka commits the next offset to read). */
export function nextOffset(lastOffset: string): string {
  return (BigInt(lastOffset) + 1n).toString();
}

/** Pure: what to commit after a batch ending at `lastOffset` when the handler still needs records from `needed` on. */
export function commitOffsetOf(lastOffset: string, needed: string | undefined): string {
  const after = nextOffset(lastOffset);
  if (needed === undefined) return after;
  return BigInt(needed) < BigInt(after) ? needed : after;
}

interface Lane {
  /** The last commit step queued; steps run in batch order. */
  tail: Promise<void>;
  /** Commit steps queued and not finished. */
  open: Promise<void>[];
  /** A durable promise rejected: nothing after it in this lane is committed. */
  failed: boolean;
  /** The offset last committed from this lane. */
  committed: string | null;
  /** When this lane last committed (performance.now()); -Infinity before its first commit. */
  committedAt: number;
}

/**
 * Consumes with manual commits. Offsets are committed after the batch is
 * durable, in order per partition, without holding up the next fetch; a
 * pipelined handler (one that returns `{ durable }`) also lets the next fetch
 * start before its publishes are acknowledged.
 */
export async function runBatches(consumer: Consumer, options: RunBatchesOptions): Promise<BatchRun> {
  const raw = kafkajsConsumerOf(consumer);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  let lanes = new Map<string, Lane>();
  let active = 0;
  // A rejoin starts from the committed offsets: what the old lanes held is replayed.
  raw.on(raw.events.GROUP_JOIN, () => {
    lanes = new Map();
  });

  const laneOf = (topic: string, partition: number): Lane => {
    const key = `${topic}\u0000${partition}`;
    let lane = lanes.get(key);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), open: [], failed: false, committed: null, committedAt: Number.NEGATIVE_INFINITY };
      lanes.set(key, lane);
    }
    return lane;
  };

  const commitIntervalMs = options.commitIntervalMs ?? 200;
  const queueCommit = (lane: Lane, topic: string, partition: number, offset: string, durable: Promise<void>): Promise<void> => {
    const step: Promise<void> = lane.tail.then(async () => {
      if (lane.failed) return;
      try {
        await durable;
      } catch {
        lane.failed = true; // the handler reports its own failure; the offsets stay where they were
        return;
      }
      if (lane.committed === offset) return;
      // A later batch is queued: its commit covers this one (unless it fails: then
      // the replay starts earlier, which the services' effects tolerate by design).
      if (lane.tail !== step && performance.now() - lane.committedAt < commitIntervalMs) return;
      try {
        lane.committedAt = performance.now();
        await consumer.commitOffsets([{ topic, partition, offset }]);
        lane.committed = offset;
      } catch (error) {
        options.onCommitError?.(error, { topic, partition, offset });
      }
    });
    lane.tail = step;
    lane.open.push(step);
    void step.finally(() => lane.open.splice(lane.open.indexOf(step), 1));
    return step;
  };

  await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? false });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (batch.messages.length === 0 || !isRunning() || isStale()) return;
      active++;
      try {
        const taken = await options.handle({
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages,
          heartbeat,
          isActive: () => isRunning() && !isStale(),
        });
        const durable = taken === undefined ? Promise.resolve() : taken.durable;
        durable.catch(() => undefined); // observed here; awaited in its lane
        const last = batch.lastOffset();
        resolveOffset(last);
        const lane = laneOf(batch.topic, batch.partition);
        queueCommit(lane, batch.topic, batch.partition, commitOffsetOf(last, taken?.commitOffset), durable);
        // Back-pressure: at most maxInFlight batches of a partition wait for their acknowledgements.
        while (lane.open.length > maxInFlight) await lane.open[0];
      } finally {
        active--;
      }
    },
  });

  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        consumer.pause(options.topics.map((topic) => ({ topic })));
        // Let the batch being handled finish, then every queued commit.
        for (;;) {
          const open = [...lanes.values()].flatMap((l) => l.open);
          if (active === 0 && open.length === 0) break;
          if (open.length > 0) await Promise.allSettled(open);
          else await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await consumer.disconnect();
      })();
      return stopping;
    },
  };
}
