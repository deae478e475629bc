// The kafkajs client factory: the one place a Kafka instance is made.
import { readFileSync } from 'node:fs';
import { Kafka, type logCreator } from 'kafkajs';
import type { KafkaConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { kafkaClientOptions, mapKafkaLog, type ClientOverrides } from './options.ts';

export function createKafka(cfg: KafkaConfig, log: Logger, overrides: ClientOverrides = {}): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  const creator: logCreator = () => (entry) => {
    const level = mapKafkaLog(entry);
    if (level === undefined) return;
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry.log as { message: string; [k: string]: unknown };
    kafkaLog[level](message, { namespace: entry.namespace, ...fields });
  };
  return new Kafka({ ...kafkaClientOptions(cfg, { readFile: (path) => readFileSync(path), ...overrides }), logCreator: creator });
}
