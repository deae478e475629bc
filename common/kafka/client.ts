// The kafkajs client factory: the one place a Kafka instance is made. Callers
// hold it as our KafkaClient; the functions of this folder get the kafkajs
// instance back with kafkajsOf.
import { readFileSync } from 'node:fs';
import { Kafka, type logCreator } from 'kafkajs';
import type { KafkaConfig } from '../config/types.ts';
import { SensorwatchError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { kafkaClientOptions, mapKafkaLog, type ClientOverrides } from './options.ts';
import type { KafkaClient } from './types.ts';

const made = new WeakMap<KafkaClient, Kafka>();

export function createKafka(cfg: KafkaConfig, log: Logger, overrides: ClientOverrides = {}): KafkaClient {
  const kafkaLog = log.child({ component: 'kafkajs' });
  const creator: logCreator = () => (entry) => {
    const level = mapKafkaLog(entry);
    if (level === undefined) return;
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry.log as { message: string; [k: string]: unknown };
    kafkaLog[level](message, { namespace: entry.namespace, ...fields });
  };
  const kafka = new Kafka({ ...kafkaClientOptions(cfg, { readFile: (path) => readFileSync(path), ...overrides }), logCreator: creator });
  const client: KafkaClient = kafka;
  made.set(client, kafka);
  return client;
}

/** The kafkajs instance behind a client made by createKafka. */
export function kafkajsOf(client: KafkaClient): Kafka {
  const kafka = made.get(client);
  if (kafka === undefined) throw new SensorwatchError('not a Kafka client made by createKafka (common/kafka/client.ts)', { code: 'kafka_client_unknown' });
  return kafka;
}
