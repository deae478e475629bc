// The demo's view of the output: it reads the alerts and labels topics like any
// other consumer would (throwaway groups, from the beginning), so the summary
// shows what really reached Kafka.
import { decodeAlert } from '../../common/codec/records.ts';
import type { Config } from '../../common/config/types.ts';
import { createKafka, readTopic } from '../../common/kafka/index.ts';
import type { Logger } from '../../common/log.ts';
import type { AnomalyAlert, InjectedAnomaly } from '../../common/types.ts';

export interface Watch {
  alerts: AnomalyAlert[];
  labels: InjectedAnomaly[];
  stop(): Promise<void>;
}

export async function watchOutputs(config: Config, brokers: string[], log: Logger): Promise<Watch> {
  const kafka = createKafka(config.kafka, log, { brokers, clientSuffix: 'demo-watch' });
  const group = `sensorwatch-demo-watch-${process.pid}-${Date.now()}`;
  const alerts: AnomalyAlert[] = [];
  const labels: InjectedAnomaly[] = [];
  const follow = (topic: string, take: (value: Buffer | null) => void) =>
    readTopic({
      client: kafka,
      topic,
      groupId: `${group}.${topic}`,
      follow: true,
      maxWaitTimeMs: 100,
      onRecords: (_partition, records) => {
        for (const message of records) {
          try {
            take(message.value);
          } catch (err) {
            log.warn('demo: unreadable record on an output topic', { topic, offset: message.offset, error: err });
          }
        }
      },
    });
  const readers = await Promise.all([
    follow(config.topics.alerts, (value) => alerts.push(decodeAlert(value))),
    follow(config.topics.labels, (value) => {
      if (value !== null) labels.push(JSON.parse(value.toString('utf8')) as InjectedAnomaly);
    }),
  ]);
  return {
    alerts,
    labels,
    stop: async () => {
      await Promise.all(readers.map((r) => r.stop()));
    },
  };
}
