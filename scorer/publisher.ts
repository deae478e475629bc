// The scorer's Kafka outputs over one idempotent producer: alerts (Avro, keyed
// by sensor id) and sensor states (compacted, keyed by sensor id), and dead
// letters. Each resolves only when the broker acknowledged all. They go
// through common/kafka's ordered producer (the same rules as ingest): a
// failure that can pass (broker away) sends the same request again instead of
// failing the batch, so the scorer rides out a short outage; one that cannot
// stops all later publishing, so no alert or state can overtake a lost one.
import { encodeAlert } from '../common/codec/index.ts';
import { createDeadLetterPublisher, type OutgoingRecord, type RecordProducer } from '../common/dead-letter.ts';
import { encodeState } from '../common/decision/state-codec.ts';
import { createOrderedProducer, type OrderedProducer, type OrderedProducerOptions, type Producer } from '../common/kafka/index.ts';
import type { AlertPublisher, DeadLetterSink } from './ports.ts';

/** One ordered producer per Kafka producer, shared by the publishers made over it. */
const ordered = new WeakMap<Producer, OrderedProducer>();

export function orderedOver(producer: Producer, options: OrderedProducerOptions = {}): OrderedProducer {
  let out = ordered.get(producer);
  if (out === undefined) {
    out = createOrderedProducer(producer, options);
    ordered.set(producer, out);
  }
  return out;
}

/**
 * Resolves once every publish handed to this producer's publishers (alerts,
 * states, dead letters) before the call has been acknowledged or has failed.
 * Only this producer's: another service in the process (ingest in the demo)
 * publishes through its own and is not waited for.
 */
export function publishesSettled(producer: Producer): Promise<void> {
  return ordered.get(producer)?.settled() ?? Promise.resolve();
}

/** Stops retrying this producer's publishes (shutdown while the broker is away): what waits is rejected, nothing after it is sent. */
export function stopPublishing(producer: Producer, reason: string): void {
  ordered.get(producer)?.close(reason);
}

export function createAlertPublisher(options: { producer: Producer; alertsTopic: string; stateTopic: string }): AlertPublisher {
  const { alertsTopic, stateTopic } = options;
  const out = orderedOver(options.producer);
  return {
    async publish(alerts, states) {
      const alertRecords: OutgoingRecord[] = alerts.map((a) => ({ key: a.sensorId, value: encodeAlert(a), headers: { 'content-type': 'application/avro', 'alert-id': a.alertId, 'alert-state': a.state } }));
      const stateRecords: OutgoingRecord[] = states.map((s) => ({ key: s.sensorId, value: encodeState(s) }));
      // one request when they fit one: a crash cannot leave alerts out whose states are not
      // (the next owner of the sensors would decide those windows, and alert, again)
      await out.sendTogether([
        { topic: alertsTopic, records: alertRecords },
        { topic: stateTopic, records: stateRecords },
      ]);
    },
  };
}

export function recordProducer(producer: Producer): RecordProducer {
  return orderedOver(producer);
}

export function createDeadLetterSink(options: { producer: Producer; topic: string }): DeadLetterSink {
  return createDeadLetterPublisher({ topic: options.topic, producer: recordProducer(options.producer) });
}
