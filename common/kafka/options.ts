// Pure: our KafkaConfig -> kafkajs client options, and how kafkajs log lines
// map onto our Logger. Unit-tested without a broker.
import { logLevel, type KafkaConfig as KafkaJsConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config/types.ts';
import { SensorwatchError } from '../errors.ts';
import type { LogLevel } from '../log.ts';

export interface ClientOverrides {
  /** Use these brokers instead of cfg.brokers (e.g. the local broker just started). */
  brokers?: string[];
  /** Appended to cfg.clientId, e.g. 'ingest' -> 'sensorwatch-ingest'. */
  clientSuffix?: string;
}

export function kafkaClientOptions(cfg: KafkaConfig, overrides: ClientOverrides = {}): KafkaJsConfig {
  const brokers = overrides.brokers ?? cfg.brokers;
  if (brokers.length === 0) {
    throw new SensorwatchError(
      'kafka.brokers is empty: set KAFKA_BROKERS (host:port,...) or start the local broker first (sensorwatch kafka start)',
      { code: 'KAFKA_NO_BROKERS' },
    );
  }
  const options: KafkaJsConfig = {
    clientId: overrides.clientSuffix ? `${cfg.clientId}-${overrides.clientSuffix}` : cfg.clientId,
    brokers: [...brokers],
    ssl: cfg.ssl,
    logLevel: logLevel.WARN,
  };
  const sasl = saslOptions(cfg.sasl);
  if (sasl !== undefined) options.sasl = sasl;
  return options;
}

export function saslOptions(sasl: KafkaConfig['sasl']): SASLOptions | undefined {
  if (sasl.mechanism === 'none') return undefined;
  if (sasl.username === '' || sasl.password === '') {
    throw new SensorwatchError(
      `kafka.sasl.mechanism is '${sasl.mechanism}' but the username or password is empty: set both (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD) or set the mechanism to 'none'`,
      { code: 'KAFKA_SASL_INCOMPLETE' },
    );
  }
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}

/**
 * Which of our levels a kafkajs log entry goes to, or undefined to drop it.
 * kafkajs logs every failed response at ERROR ("[Connection] Response ...")
 * (namespace 'Connection', message 'Response <Api>...') even when it retries
 * and succeeds (rebalances, a coordinator still loading);
 * the failure that matters reaches the caller as a thrown error, so those
 * lines go to debug.
 */
export function mapKafkaLog(entry: Pick<LogEntry, 'level' | 'namespace' | 'log'>): LogLevel | undefined {
  const retriedResponse = entry.namespace === 'Connection' && entry.log.message.startsWith('Response ');
  switch (entry.level) {
    case logLevel.ERROR:
      return retriedResponse ? 'debug' : 'error';
    case logLevel.WARN:
      return retriedResponse || entry.log.message.includes('The group is rebalancing') ? 'debug' : 'warn';
    case logLevel.INFO:
      return 'debug';
    case logLevel.DEBUG:
      return 'debug';
    default:
      return undefined;
  }
}
