// Which trainer replica trains which model key (pure). Replicas join one
// consumer group on the windows topic (common/kafka/membership.ts); a model
// key belongs to one partition of that topic, picked by a stable hash of the
// key, and the replica that owns the partition trains the key. Every replica
// computes the same answer from its own share alone, a rebalance moves keys
// with their partitions, and any string works as a key (types, groups).
import { createHash } from 'node:crypto';

/** A replica's share of the windows topic's partitions (null: it holds none now). */
export interface KeyShare {
  partitions: readonly number[];
  /** The topic's partition count. */
  of: number;
}

/** The windows partition a model key belongs to: the first 4 bytes of its SHA-1, modulo the partition count. */
export function keyPartition(modelKey: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) throw new RangeError(`keyPartition: partition count must be a positive integer, got ${partitionCount}`);
  return createHash('sha1').update(modelKey, 'utf8').digest().readUInt32BE(0) % partitionCount;
}

/** 'all': no group (a one-off run trains every key); null: the replica holds no share and trains nothing. */
export function ownsKey(modelKey: string, share: KeyShare | 'all' | null): boolean {
  if (share === 'all') return true;
  if (share === null || share.of < 1) return false;
  return share.partitions.includes(keyPartition(modelKey, share.of));
}
