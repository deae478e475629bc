// Pure: our KafkaConfig -> kafkajs client options, and how kafkajs log lines
// map onto our Logger. Unit-tested without a broker.
import type { ConnectionOptions } from 'node:tls';
import { logLevel, type KafkaConfig as KafkaJsConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config/types.ts';
import { SensorwatchError } from '../errors.ts';
import type { LogLevel } from '../log.ts';

export interface ClientOverrides {
  /** Use these brokers instead of cfg.brokers (e.g. the local broker just started). */
  brokers?: string[];
  /** Appended to cfg.clientId, e.g. 'ingest' -> 'sensorwatch-ingest'. */
  clientSuffix?: string;
  /** Reads a TLS file (client.ts passes readFileSync); needed only when kafka.tls names files. */
  readFile?: (path: string) => Buffer;
}

/**
 * kafka.ssl plus kafka.tls -> the kafkajs `ssl` option: `false`, `true` (the
 * system CAs), or Node TLS options with the CA, client certificate and key
 * read from their files and the server name to verify. A file that cannot be
 * read is an error naming the key and the path (never the content).
 */
export function tlsOptions(cfg: KafkaConfig, readFile?: (path: string) => Buffer): boolean | ConnectionOptions {
  const { ssl } = cfg;
  const tls = cfg.tls ?? { caFile: '', certFile: '', keyFile: '', serverName: '' };
  if (!ssl) return false;
  const files = { ca: tls.caFile, cert: tls.certFile, key: tls.keyFile };
  if (Object.values(files).every((f) => f === '') && tls.serverName === '') return true;
  const out: ConnectionOptions = {};
  const read = (key: string, path: string): Buffer => {
    if (readFile === undefined) throw new SensorwatchError(`kafka.tls.${key} is set but no file reader was given`, { code: 'tls_file_unreadable' });
    try {
      return readFile(path);
    } catch (cause) {
      throw new SensorwatchError(`kafka.tls.${key}: cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { code: 'tls_file_unreadable', cause });
    }
  };
  if (files.ca !== '') out.ca = [read('caFile', files.ca)];
  if (files.cert !== '') out.cert = read('certFile', files.cert);
  if (files.key !== '') out.key = read('keyFile', files.key);
  if (tls.serverName !== '') out.servername = tls.serverName;
  return out;
}

export function kafkaClientOptions(cfg: KafkaConfig, overrides: ClientOverrides = {}): KafkaJsConfig {
  const brokers = overrides.brokers ?? cfg.brokers;
  if (brokers.length === 0) {
    throw new SensorwatchError(
      'kafka.brokers is empty: set KAFKA_BROKERS (host:port,...) or start the local broker first (sensorwatch kafka start)',
      { code: 'no_brokers' },
    );
  }
  const options: KafkaJsConfig = {
    clientId: overrides.clientSuffix ? `${cfg.clientId}-${overrides.clientSuffix}` : cfg.clientId,
    brokers: [...brokers],
    ssl: tlsOptions(cfg, overrides.readFile),
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
      { code: 'sasl_incomplete' },
    );
  }
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}

/** The client's log levels, named here so that callers (and tests) need not import kafkajs. */
export const clientLogLevel = { NOTHING: logLevel.NOTHING, ERROR: logLevel.ERROR, WARN: logLevel.WARN, INFO: logLevel.INFO, DEBUG: logLevel.DEBUG } as const;

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
