// Sensor states on a compacted Kafka topic: how a restarted (or newly
// assigned) scorer knows what was already decided.
//
// Each batch's alerts and the sensor states they leave behind are produced in
// one idempotent send and acknowledged before the batch's offsets are
// committed (engine.ts, service.ts). A restarted scorer first reads this topic
// to its end, so every sensor starts from the state of its last acknowledged
// batch; the windows replayed from the last committed offset that that batch
// already covered have seq <= lastSeq and are skipped by decide(), and the ones
// after it are decided exactly as the first run would have. Hence no alert is
// opened twice and replays reproduce the same alert ids. The same reload runs
// after every group rebalance (partitions moving between scorers).
//
// A reader tails the topic for the life of the scorer (its own throwaway group,
// no commits) and keeps the latest state per sensor written by any instance.
// caughtUp() first lets this scorer's own publishes in flight settle (a
// batch still publishing through a broker outage when the group rejoins;
// `ownPublishes`, its own producer only, not another service's in the process):
// a snapshot taken before its states land would roll those sensors back, and
// the windows it decided would be decided, and alerted, again.
import { randomBytes } from 'node:crypto';
import type { Config } from '../common/config/types.ts';
import { readTopic, type Admin, type KafkaClient } from '../common/kafka/index.ts';
import type { Logger } from '../common/log.ts';
import type { SensorState } from '../common/decision/decide.ts';
import { decodeState } from '../common/decision/state-codec.ts';
import { SensorwatchError } from '../common/errors.ts';

/** The state topic belongs to the consumer group: another group keeps its own decisions. */
export const stateTopicFor = (groupId: string): string => `${groupId}.state`;

export interface StateReader {
  /** Resolves once every state written before this call has been read. */
  caughtUp(): Promise<ReadonlyMap<string, SensorState>>;
  stop(): Promise<void>;
}

export interface StateReaderOptions {
  kafka: KafkaClient;
  admin: Admin;
  topic: string;
  groupId: string;
  log: Logger;
  /** Resolves once the states this scorer handed to its producer so far are acknowledged or failed. */
  ownPublishes: () => Promise<void>;
}

export async function startStateReader(options: StateReaderOptions): Promise<StateReader> {
  const { topic, log } = options;
  const latest = new Map<string, SensorState>();
  const reader = await readTopic({
    client: options.kafka,
    admin: options.admin,
    topic,
    groupId: `${options.groupId}.state-reader.${randomBytes(6).toString('hex')}`,
    follow: true,
    maxWaitTimeMs: 100,
    deleteGroup: true,
    onRecords: (partition, records) => {
      for (const message of records) {
        try {
          const state = decodeState(message.value, `state topic ${topic} partition ${partition} offset ${message.offset}`);
          if (state !== null) latest.set(state.sensorId, state);
        } catch (error) {
          log.warn('unreadable state record skipped', { topic, partition, offset: message.offset, error });
        }
      }
    },
  });

  return {
    async caughtUp() {
      await options.ownPublishes();
      const behind = await reader.catchUp(Date.now() + 60_000);
      if (behind.length > 0) throw new SensorwatchError(`state topic ${topic}: not caught up after 60 s (partitions ${behind.join(', ')})`, { code: 'state_not_caught_up', details: { topic, partitions: behind } });
      return latest;
    },
    stop: () => reader.stop(),
  };
}

/** Partitions and topic settings for the state topic. */
export function stateTopicSpec(config: Config, groupId: string): { name: string; partitions: number; compacted: boolean; replicationFactor: number; config: Record<string, string> } {
  return {
    name: stateTopicFor(groupId),
    partitions: config.topics.partitions,
    compacted: true,
    replicationFactor: config.topics.replicationFactor,
    // Roll segments hourly so compaction can actually drop superseded states.
    config: { 'segment.ms': '3600000', 'min.cleanable.dirty.ratio': '0.2' },
  };
}
