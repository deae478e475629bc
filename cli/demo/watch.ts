// The demo's view of the output: it reads the alerts and labels topics like any
// other consumer would (a throwaway group, from the beginning), so the summary
// shows what really reached Kafka.
import { decodeAlert } from '../../common/codec/records.ts';
import type { Config } from '../../common/config/types.ts';
import { createConsumer, createKafka } from '../../common/kafka/index.ts';
import type { Logger } from '../../common/log.ts';
import type { AnomalyAlert, InjectedAnomaly } from '../../common/types.ts';

export interface Watch {
  alerts: AnomalyAlert[];
  labels: InjectedAnomaly[];
  stop(): Promise<void>;
}

export async function watchOutputs(config: Config, brokers: string[], log: Logger): Promise<Watch> {
  const kafka = createKafka(config.kafka, log, { brokers, clientSuffix: 'demo-watch' });
  const consumer = createConsumer(kafka, { groupId: `sensorwatch-demo-watch-${process.pid}-${Date.now()}`, maxWaitTimeMs: 100 });
  const alerts: AnomalyAlert[] = [];
  const labels: InjectedAnomaly[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [config.topics.alerts, config.topics.labels], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      try {
        if (topic === config.topics.alerts) alerts.push(decodeAlert(message.value));
        else if (message.value !== null) labels.push(JSON.parse(message.value.toString('utf8')) as InjectedAnomaly);
      } catch (err) {
        log.warn('demo: unreadable record on an output topic', { topic, offset: message.offset, error: err });
      }
    },
  });
  return { alerts, labels, stop: () => consumer.disconnect() };
}
