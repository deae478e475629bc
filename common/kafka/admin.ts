// Topic administration: idempotent create, delete, consumer lag.
import { kafkaError } from './errors.ts';
import type { Admin, PartitionOffsets, TopicToCreate } from './types.ts';

export interface TopicSpec {
  name: string;
  partitions: number;
  /** cleanup.policy=compact (the model-artifacts topic). */
  compacted?: boolean;
  /** Extra topic configs, e.g. { 'retention.ms': '3600000' }. */
  config?: Record<string, string>;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
}

/** Pure: a spec as the admin client's createTopics wants it. */
export function topicConfig(spec: TopicSpec): TopicToCreate {
  const entries: Record<string, string> = { ...(spec.compacted ? { 'cleanup.policy': 'compact' } : {}), ...spec.config };
  return {
    topic: spec.name,
    numPartitions: spec.partitions,
    ...(spec.replicationFactor === undefined ? {} : { replicationFactor: spec.replicationFactor }),
    configEntries: Object.entries(entries).map(([name, value]) => ({ name, value })),
  };
}

export interface PartitionMismatch {
  name: string;
  /** Partitions the spec asks for. */
  want: number;
  /** Partitions the existing topic has. */
  have: number;
}

export interface EnsureResult {
  created: string[];
  existing: string[];
  /** Existing topics whose partition count differs from their spec (they are left as they are). */
  mismatched: PartitionMismatch[];
}

/** Pure: the existing topics whose partition count is not the one asked for. */
export function partitionMismatches(specs: readonly TopicSpec[], have: ReadonlyMap<string, number>): PartitionMismatch[] {
  const out: PartitionMismatch[] = [];
  for (const spec of specs) {
    const n = have.get(spec.name);
    if (n !== undefined && n !== spec.partitions) out.push({ name: spec.name, want: spec.partitions, have: n });
  }
  return out;
}

/** A log line's worth on a mismatch, for the services to warn with. */
export function describeMismatch(m: PartitionMismatch): string {
  return `topic ${m.name} has ${m.have} partition(s), topics.partitions asks for ${m.want}: ${m.have < m.want ? `at most ${m.have} consumer(s) of a group can share it` : 'more than configured; nothing breaks'} (sensorwatch does not change existing topics)`;
}

/** Creates the topics that do not exist yet; existing ones are left as they are (and reported when their partitions differ). */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<EnsureResult> {
  const present = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !present.has(s.name));
  const existing = specs.filter((s) => present.has(s.name));
  if (missing.length > 0) {
    // false (not an error) when another process created one in between. kafkajs' own
    // waitForLeaders can throw UNKNOWN_TOPIC_OR_PARTITION while a fresh broker's
    // metadata catches up (seen on a cold start): our poll below rides that out.
    await admin.createTopics({ topics: missing.map(topicConfig), waitForLeaders: false });
    await waitForLeaders(admin, missing.map((s) => s.name));
  }
  let mismatched: PartitionMismatch[] = [];
  if (existing.length > 0) {
    const { topics: meta } = await admin.fetchTopicMetadata({ topics: existing.map((s) => s.name) });
    mismatched = partitionMismatches(existing, new Map(meta.map((t) => [t.name, t.partitions.length])));
  }
  return { created: missing.map((s) => s.name), existing: existing.map((s) => s.name), mismatched };
}

/**
 * createTopics' own wait can return before the broker's metadata cache names a
 * leader for every partition; a produce in that gap fails with "not the leader".
 * Poll the metadata until every partition has a leader (at most ~10 s).
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch {
      // UNKNOWN_TOPIC_OR_PARTITION while the metadata propagates: poll again
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A topic's partition offsets, retried while the broker is still taking up
 * leadership of a just-created topic (kafkajs throws a retriable
 * NOT_LEADER_FOR_PARTITION); a non-retriable error, or one past `deadline`, is thrown.
 */
export async function fetchTopicEnds(admin: Admin, topic: string, deadline = Date.now() + 10_000): Promise<PartitionOffsets[]> {
  for (;;) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if ((error as { retriable?: unknown }).retriable !== true || Date.now() > deadline) throw kafkaError(error);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Deletes those of `names` that exist; unknown names are ignored. */
export async function deleteTopics(admin: Admin, names: string[]): Promise<string[]> {
  const present = new Set(await admin.listTopics());
  const doomed = names.filter((n) => present.has(n));
  if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
  return doomed;
}

/** Deletes a consumer group; a group that is already gone (one that never committed) is no error. */
export async function deleteGroupQuietly(admin: Admin, groupId: string): Promise<void> {
  await admin.deleteGroups([groupId]).catch(() => undefined);
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Log end offset (next offset to be written). */
  high: number;
  /** Committed offset of the group; -1 when it has none. */
  committed: number;
  lag: number;
}

/** Pure: lag per partition from high watermarks and committed offsets (a group without a commit lags by everything from low). */
export function computeLag(
  topic: string,
  offsets: { partition: number; high: string; low: string }[],
  committed: { partition: number; offset: string }[],
): PartitionLag[] {
  const byPartition = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  return offsets
    .map((o) => {
      const high = Number(o.high);
      const done = byPartition.get(o.partition) ?? -1;
      const from = done >= 0 ? done : Number(o.low);
      return { topic, partition: o.partition, high, committed: done, lag: Math.max(0, high - from) };
    })
    .sort((a, b) => a.partition - b.partition);
}

export async function consumerLag(admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics });
  const out: PartitionLag[] = [];
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    out.push(...computeLag(topic, offsets, mine));
  }
  return out;
}
