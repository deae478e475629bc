// The model store's Kafka edge: publish artifacts (chunked) and pointers to the
// compacted model-artifacts topic plus a ModelUpdated event to the models
// topic, and read the artifacts topic back (to its end, or live).
import { randomUUID } from 'node:crypto';
import { encodeModelUpdated } from '../../codec/records.ts';
import { createIdempotentProducer, ensureTopics, MAX_MESSAGE_BYTES, readTopic, type IncomingRecord, type KafkaClient } from '../../kafka/index.ts';
import type { Logger } from '../../log.ts';
import type { ModelUpdated } from '../../types.ts';
import type { ModelMeta } from '../artifact.ts';
import { chunkRecords, defaultChunkBytes, parseRecord, pointerRecord, type ParsedRecord } from './records.ts';

export interface StoreTopics {
  modelArtifacts: string;
  models: string;
}

/** Creates the two topics if missing: artifacts compacted, one partition (a total order per key). */
export async function ensureModelTopics(kafka: KafkaClient, topics: StoreTopics): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [
      { name: topics.modelArtifacts, partitions: 1, compacted: true, config: { 'max.message.bytes': String(MAX_MESSAGE_BYTES) } },
      { name: topics.models, partitions: 1 },
    ]);
  } finally {
    await admin.disconnect();
  }
}

export interface ModelPublisher {
  /** Artifact chunks, then the pointer, then ModelUpdated: a reader never sees a pointer before its chunks. */
  publish(bytes: Buffer, meta: ModelMeta, reason?: string): Promise<ModelUpdated>;
  /** Points the key at an already published version (rollback) and announces it. */
  point(meta: ModelMeta, chunks: number, sizeBytes: number, reason: string): Promise<ModelUpdated>;
  close(): Promise<void>;
}

export async function createModelPublisher(kafka: KafkaClient, topics: StoreTopics, options: { chunkBytes?: number; now?: () => number } = {}): Promise<ModelPublisher> {
  await ensureModelTopics(kafka, topics);
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const now = options.now ?? Date.now;
  const announce = async (meta: ModelMeta, chunks: number, sizeBytes: number, reason: string): Promise<ModelUpdated> => {
    const pointer = pointerRecord({ modelKey: meta.modelKey, version: meta.version, reason, at: now() });
    await producer.send({ topic: topics.modelArtifacts, acks: -1, messages: [{ ...pointer, partition: 0 }] });
    const event = modelUpdatedOf(meta, chunks, sizeBytes);
    await producer.send({ topic: topics.models, acks: -1, messages: [{ key: meta.modelKey, value: encodeModelUpdated(event) }] });
    return event;
  };
  return {
    async publish(bytes, meta, reason = 'promoted') {
      const records = chunkRecords(bytes, meta, options.chunkBytes ?? defaultChunkBytes);
      // One chunk per request keeps every request under the broker's message limit.
      for (const r of records) await producer.send({ topic: topics.modelArtifacts, acks: -1, messages: [{ ...r, partition: 0 }] });
      return announce(meta, records.length, bytes.length, reason);
    },
    point: (meta, chunks, sizeBytes, reason) => announce(meta, chunks, sizeBytes, reason),
    close: () => producer.disconnect(),
  };
}

export function modelUpdatedOf(meta: ModelMeta, chunks: number, sizeBytes: number): ModelUpdated {
  return {
    modelKey: meta.modelKey,
    version: meta.version,
    kind: meta.kind,
    checksum: meta.checksum,
    createdAt: meta.createdAt,
    chunks,
    sizeBytes,
    threshold: meta.thresholds.model.value,
    thresholdMethod: meta.thresholds.model.method,
    backend: meta.backend,
    valLoss: meta.metrics.valLoss,
  };
}

export function headersOf(message: IncomingRecord): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    out[k] = first === undefined ? undefined : first.toString();
  }
  return out;
}

export interface ArtifactLogReader {
  /** Resolves once every record present at start has been handed to onRecord. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

export interface ReadArtifactLogOptions {
  kafka: KafkaClient;
  topic: string;
  log: Logger;
  onRecord(record: ParsedRecord, offset: string): void | Promise<void>;
  /** Keep consuming after the catch-up (live feed); default false (stop at the end). */
  follow?: boolean;
  groupPrefix?: string;
}

/**
 * Reads the artifacts topic from the beginning with a throw-away consumer
 * group (every reader sees every record; nothing is committed). Bad records
 * are logged and skipped: one bad record must not stop models loading.
 */
export async function readArtifactLog(options: ReadArtifactLogOptions): Promise<ArtifactLogReader> {
  const { kafka, topic, log } = options;
  const read = await readTopic({
    client: kafka,
    topic,
    groupId: `${options.groupPrefix ?? 'sensorwatch.models'}.${randomUUID()}`,
    follow: options.follow === true,
    onRecords: async (partition, records) => {
      for (const message of records) {
        const key = message.key?.toString('utf8') ?? '';
        try {
          const parsed = parseRecord(key, message.value, headersOf(message));
          if (parsed !== null) await options.onRecord(parsed, message.offset);
        } catch (err) {
          log.warn('skipping a model-artifacts record', { topic, partition, offset: message.offset, key, error: err });
        }
      }
    },
  });
  return { caughtUp: read.caughtUp, stop: read.stop };
}
