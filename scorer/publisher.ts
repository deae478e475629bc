// The scorer's Kafka outputs over one idempotent producer: alerts (Avro, keyed
// by sensor id) and sensor states (compacted, keyed by sensor id) in a single
// send, and dead letters. Each resolves only when the broker acknowledged all.
import { encodeAlert } from '../common/codec/index.ts';
import { createDeadLetterPublisher, type RecordProducer } from '../common/dead-letter.ts';
import type { Producer } from '../common/kafka/index.ts';
import type { AlertPublisher, DeadLetterSink } from './ports.ts';
import { encodeState } from './state-store.ts';

export function createAlertPublisher(options: { producer: Producer; alertsTopic: string; stateTopic: string }): AlertPublisher {
  const { producer, alertsTopic, stateTopic } = options;
  return {
    async publish(alerts, states) {
      const topicMessages = [
        {
          topic: alertsTopic,
          messages: alerts.map((a) => ({ key: a.sensorId, value: encodeAlert(a), headers: { 'content-type': 'application/avro', 'alert-id': a.alertId, 'alert-state': a.state } })),
        },
        { topic: stateTopic, messages: states.map((s) => ({ key: s.sensorId, value: encodeState(s) })) },
      ].filter((t) => t.messages.length > 0);
      if (topicMessages.length === 0) return;
      await producer.sendBatch({ topicMessages, acks: -1 });
    },
  };
}

export function recordProducer(producer: Producer): RecordProducer {
  return {
    async send(topic, records) {
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key, value: r.value, ...(r.headers === undefined ? {} : { headers: r.headers }) })),
      });
    },
  };
}

export function createDeadLetterSink(options: { producer: Producer; topic: string }): DeadLetterSink {
  return createDeadLetterPublisher({ topic: options.topic, producer: recordProducer(options.producer) });
}
