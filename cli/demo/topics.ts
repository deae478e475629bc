// Creates every pipeline topic before any service starts, so no client ever
// subscribes to or produces into a topic that is still being created.
import type { Config } from '../../common/config/types.ts';
import { createKafka, ensureTopics } from '../../common/kafka/index.ts';
import type { Logger } from '../../common/log.ts';
import { ensureModelTopics } from '../../common/model/store/kafka.ts';

export async function ensurePipelineTopics(config: Config, brokers: string[], log: Logger): Promise<void> {
  const kafka = createKafka(config.kafka, log, { brokers, clientSuffix: 'demo-admin' });
  const t = config.topics;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const spec = (name: string): { name: string; partitions: number; replicationFactor: number } => ({ name, partitions: t.partitions, replicationFactor: t.replicationFactor });
    await ensureTopics(admin, [t.readings, t.windows, t.alerts, t.deadLetter, t.labels, t.verdicts].map(spec));
  } finally {
    await admin.disconnect();
  }
  await ensureModelTopics(kafka, { modelArtifacts: t.modelArtifacts, models: t.models });
}
