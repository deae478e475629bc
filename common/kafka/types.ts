// The Kafka types the rest of sensorwatch may name, in our words. Only
// common/kafka/ imports kafkajs (house style 3): these interfaces are the
// subset of a client that callers use, so swapping the client means writing
// them over another one, in this folder only. Today the kafkajs objects
// satisfy them as they are (no copy per record on the hot path).
import type { RecordHeaders } from '../codec/headers.ts';

export type { RecordHeaders };

/** A record as read from a partition (the topic and partition are those of its batch or callback). */
export interface IncomingRecord {
  /** Its offset in the partition (a 64-bit integer as a string). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Producer or log-append time, ms since the epoch as a string. */
  timestamp: string;
  headers?: RecordHeaders;
}

/** A record to publish with a plain Producer. */
export interface OutgoingMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  /** ms since the epoch as a string; default: now. */
  timestamp?: string;
}

/** -1: every in-sync replica; 1: the leader; 0: none. */
export type Acks = -1 | 0 | 1;

export interface SentRecordMetadata {
  topicName: string;
  partition: number;
  baseOffset?: string;
}

export interface Sender {
  send(record: { topic: string; messages: OutgoingMessage[]; acks?: Acks }): Promise<SentRecordMetadata[]>;
  sendBatch(batch: { topicMessages: { topic: string; messages: OutgoingMessage[] }[]; acks?: Acks }): Promise<SentRecordMetadata[]>;
}

export interface ProducerTransaction extends Sender {
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** A connected producer (createIdempotentProducer); the ordered producer wraps one. */
export interface Producer extends Sender {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Only for a producer made with a transactionalId. */
  transaction(): Promise<ProducerTransaction>;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  messages: IncomingRecord[];
  /** The offset of the batch's last record (also when only transaction markers were fetched). */
  lastOffset(): string;
}

export interface BatchCallbackPayload {
  batch: RecordBatch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
}

export interface MessageCallbackPayload {
  topic: string;
  partition: number;
  message: IncomingRecord;
}

export interface ConsumerRunOptions {
  autoCommit?: boolean;
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
  eachBatch?(payload: BatchCallbackPayload): Promise<void>;
  eachMessage?(payload: MessageCallbackPayload): Promise<void>;
}

/**
 * A group member made by createConsumer. Services run one with runBatches;
 * readers of a whole topic use readTopic; tests and tools may drive one
 * directly.
 */
export interface Consumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: string[]; fromBeginning?: boolean }): Promise<void>;
  run(options: ConsumerRunOptions): Promise<void>;
  seek(position: TopicPartitionOffset): void;
  pause(topics: { topic: string; partitions?: number[] }[]): void;
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
}

/** A partition's first and next-to-be-written offsets. */
export interface PartitionOffsets {
  partition: number;
  /** The next offset to be written (log end). */
  high: string;
  /** The first offset still in the log. */
  low: string;
}

export interface TopicToCreate {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: { name: string; value: string }[];
}

export interface TopicMetadata {
  name: string;
  partitions: { partitionId: number; leader: number }[];
}

export interface GroupDescription {
  groupId: string;
  /** 'Stable', 'PreparingRebalance', 'Empty', … */
  state: string;
  members: { memberId: string; clientId: string }[];
}

/** The cluster administration callers use (ensureTopics, offsets, lag and the tests' checks). */
export interface Admin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  createTopics(options: { topics: TopicToCreate[]; waitForLeaders?: boolean }): Promise<boolean>;
  deleteTopics(options: { topics: string[] }): Promise<void>;
  fetchTopicMetadata(options: { topics: string[] }): Promise<{ topics: TopicMetadata[] }>;
  /** The topic's partitions with their first and next offsets (`offset` = `high`). */
  fetchTopicOffsets(topic: string): Promise<(PartitionOffsets & { offset: string })[]>;
  /** Per partition, the first offset at or after `timestamp` (ms); -1 past the end. */
  fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<{ partition: number; offset: string }[]>;
  /** A group's committed offsets (-1: none). */
  fetchOffsets(options: { groupId: string; topics: string[] }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  resetOffsets(options: { groupId: string; topic: string; earliest: boolean }): Promise<void>;
  listGroups(): Promise<{ groups: { groupId: string }[] }>;
  describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }>;
  deleteGroups(groupIds: string[]): Promise<unknown[]>;
  describeCluster(): Promise<{ brokers: { nodeId: number }[]; controller: number | null }>;
}

/** A connection to a cluster, made by createKafka; producers and consumers come from the functions of this folder. */
export interface KafkaClient {
  /** A new, not yet connected admin client. */
  admin(): Admin;
}
