// Group membership without consuming: a member of a consumer group on one
// topic that only learns which of its partitions it owns. Replicas that
// share work by partition (the trainer's model keys) join one group and each
// does the share its partitions name; a member that leaves (or whose session
// times out) has its partitions, and so its share, moved to the others at the
// group's next rebalance. Every partition is paused: nothing is fetched and
// nothing committed, the fetch loop only heartbeats.
import { SensorwatchError } from '../errors.ts';
import { createConsumer, kafkajsConsumerOf } from './consumer.ts';
import type { KafkaClient } from './types.ts';

/** What one member owns: some partitions of a topic with `of` partitions. */
export interface PartitionShare {
  partitions: readonly number[];
  /** The topic's partition count when the assignment arrived. */
  of: number;
  /** Counts the assignments this member received (1 = the first). */
  generation: number;
}

export interface MembershipOptions {
  groupId: string;
  topic: string;
  /** Default 60 s: a member busy with long work still heartbeats between steps; a dead one is noticed after this. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** A new share arrived, or (null) the member holds none until the group settles (a rebalance, a restart, the stop). */
  onChange?(share: PartitionShare | null): void;
  /** The consumer failed for good: the member holds no share any more. */
  onFatal?(error: SensorwatchError): void;
}

export interface GroupMembership {
  /** The share held now; null while the group rebalances, before the first assignment and after stop. */
  share(): PartitionShare | null;
  /**
   * The share once the member holds one (at once when it does); null when
   * `deadline` (ms since the epoch) passes first, or the member stopped or failed.
   */
  settled(deadline: number): Promise<PartitionShare | null>;
  /** Resolves at the next change of share (or stop). */
  changed(): Promise<void>;
  /** Leaves the group: the others take this member's partitions at once. */
  stop(): Promise<void>;
}

export async function joinGroup(client: KafkaClient, options: MembershipOptions): Promise<GroupMembership> {
  const { topic } = options;
  let share: PartitionShare | null = null;
  let generation = 0;
  let over = false;
  let waiters: (() => void)[] = [];
  const set = (next: PartitionShare | null): void => {
    if (over && next !== null) return;
    share = next;
    const woken = waiters;
    waiters = [];
    for (const w of woken) w();
    options.onChange?.(next);
  };
  const partitionCount = async (): Promise<number> => {
    const admin = client.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      return meta.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  const consumer = createConsumer(client, {
    groupId: options.groupId,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 60_000,
    ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
    onJoin: (assignment) => {
      const mine = [...(assignment[topic] ?? [])].sort((a, b) => a - b);
      const joinedAs = ++generation;
      // Whatever was assigned stays paused: the member never fetches. The
      // join event comes before the fetch loop starts, with the group made.
      try {
        consumer.pause([{ topic }]);
      } catch {
        // the client is tearing this group down (a crash): the next join pauses
      }
      partitionCount().then(
        (of) => {
          if (generation === joinedAs) set({ partitions: mine, of: Math.max(of, ...mine.map((p) => p + 1)), generation: joinedAs });
        },
        () => {
          // The count is only needed to map work to partitions; without it the share is not trusted.
          if (generation === joinedAs) set(null);
        },
      );
    },
    onRestart: () => set(null),
    onFatal: (error) => {
      over = true;
      set(null);
      options.onFatal?.(error);
    },
  });
  const raw = kafkajsConsumerOf(consumer);
  raw.on(raw.events.REBALANCING, () => {
    generation++;
    set(null);
  });

  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  // run() returns once the first join is done, or after it crashed (a fresh
  // broker's coordinator not ready yet): the client then restarts and joins
  // again by itself, and each join pauses the topic before any fetch.
  await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
  try {
    consumer.pause([{ topic }]);
  } catch {
    // not joined yet (the first join crashed): the next join pauses
  }

  let stopping: Promise<void> | null = null;
  return {
    share: () => share,
    async settled(deadline) {
      while (share === null && !over) {
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => (clearTimeout(t), resolve()));
        });
      }
      return share;
    },
    changed: () => new Promise<void>((resolve) => waiters.push(resolve)),
    stop() {
      stopping ??= (async () => {
        over = true;
        generation++;
        set(null);
        await consumer.disconnect();
      })();
      return stopping;
    },
  };
}
