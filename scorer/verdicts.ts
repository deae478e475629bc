// Operators' verdicts (topics.verdicts, `sensorwatch alerts mark`) as the
// scorer sees them. Every scorer reads the whole topic from its beginning and
// follows it (its own throwaway group, nothing committed), keeping each
// sensor's verdicts in topic order. The engine applies those a sensor's state
// has not applied yet (common/decision/verdict.ts: the state remembers the
// position of its last one) before that sensor's next window, and publishes
// the result with the batch's alerts and states. Hence a verdict takes effect
// once, whichever scorer owns the sensor, across restarts and rebalances.
//
// A record that cannot be read is dead-lettered (reason bad_avro) and skipped;
// every scorer reading the topic sends it once per start.
import { randomBytes } from 'node:crypto';
import { decodeVerdict } from '../common/codec/records.ts';
import type { Config } from '../common/config/types.ts';
import type { SensorState } from '../common/decision/decide.ts';
import { policyFor } from '../common/decision/policy.ts';
import { applyVerdict, verdictApplied, type VerdictPosition } from '../common/decision/verdict.ts';
import { SensorwatchError } from '../common/errors.ts';
import { readTopic, type Admin, type KafkaClient } from '../common/kafka/index.ts';
import type { Logger } from '../common/log.ts';
import type { AlertVerdict, AnomalyAlert, DeadLetter } from '../common/types.ts';

export interface PositionedVerdict {
  verdict: AlertVerdict;
  position: VerdictPosition;
}

/** What the engine asks before judging a sensor's window. */
export interface VerdictSource {
  /** The sensor's verdicts its state has not applied yet, applied in topic order; the same state object when there are none. */
  apply(state: SensorState, config: Config): { state: SensorState; events: AnomalyAlert[]; applied: AlertVerdict[] };
}

/** A sensor's verdicts in topic order; pure bookkeeping shared by the reader and tests. */
export function createVerdictBook(): VerdictSource & { add(v: PositionedVerdict): void; size(): number } {
  const bySensor = new Map<string, PositionedVerdict[]>();
  let size = 0;
  return {
    add(v) {
      const list = bySensor.get(v.verdict.sensorId) ?? [];
      bySensor.set(v.verdict.sensorId, list);
      list.push(v);
      size++;
    },
    size: () => size,
    apply(state, config) {
      const list = bySensor.get(state.sensorId);
      if (list === undefined) return { state, events: [], applied: [] };
      let current = state;
      const events: AnomalyAlert[] = [];
      const applied: AlertVerdict[] = [];
      for (const v of list) {
        if (verdictApplied(current, v.position)) continue;
        const policy = policyFor(config, state.sensorId);
        const out = applyVerdict(current, { verdict: v.verdict, position: v.position, policy });
        current = out.state;
        events.push(...out.events);
        if (out.applied) applied.push(v.verdict);
      }
      return { state: current, events, applied };
    },
  };
}

export interface VerdictReader extends VerdictSource {
  /** Resolves once every verdict written before this call has been read (bounded: 60 s). */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

export interface VerdictReaderOptions {
  kafka: KafkaClient;
  admin: Admin;
  topic: string;
  groupId: string;
  log: Logger;
  deadLetter: (record: DeadLetter) => void;
}

export async function startVerdictReader(options: VerdictReaderOptions): Promise<VerdictReader> {
  const { topic, log } = options;
  const book = createVerdictBook();
  const reader = await readTopic({
    client: options.kafka,
    admin: options.admin,
    topic,
    groupId: `${options.groupId}.verdict-reader.${randomBytes(6).toString('hex')}`,
    follow: true,
    maxWaitTimeMs: 200,
    deleteGroup: true,
    onRecords: (partition, records) => {
      for (const message of records) {
        try {
          const verdict = decodeVerdict(message.value);
          book.add({ verdict, position: { partition, offset: message.offset } });
          log.debug('verdict read', { sensorId: verdict.sensorId, verdict: verdict.verdict, alertIds: verdict.alertIds, partition, offset: message.offset });
        } catch (error) {
          log.warn('unreadable verdict record dead-lettered and skipped', { topic, partition, offset: message.offset, error });
          options.deadLetter({
            sourceTopic: topic,
            partition,
            offset: message.offset,
            stage: 'scorer',
            reason: 'bad_avro',
            message: (error as Error).message,
            key: message.key,
            value: message.value ?? Buffer.alloc(0),
            timestamp: Date.now(),
          });
        }
      }
    },
  });
  return {
    apply: (state, config) => book.apply(state, config),
    async caughtUp() {
      const behind = await reader.catchUp(Date.now() + 60_000);
      if (behind.length > 0) throw new SensorwatchError(`verdicts topic ${topic}: not caught up after 60 s (partitions ${behind.join(', ')})`, { code: 'verdicts_not_caught_up', details: { topic, partitions: behind } });
    },
    stop: () => reader.stop(),
  };
}
