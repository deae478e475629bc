// What every service CLI does at the edge: load the config,
// find the brokers, and turn a thrown error into a message and an exit code.
import { configFileOf as configFileFrom, loadCommandLineConfig, type CommandLineConfig } from '../config/command-line.ts';
import type { Config } from '../config/types.ts';
import { SensorwatchError } from '../errors.ts';
import { readBrokerInfo } from '../kafka-local/local-broker.ts';
import { createLogger, type Logger } from '../log.ts';

/** The command's config (common/config/command-line.ts: --config or SENSORWATCH_CONFIG, env, flag overrides) and a logger at its level. */
export function loadCliConfig(file: string | undefined, overrides?: Record<string, unknown>): CommandLineConfig & { log: Logger } {
  const loaded = loadCommandLineConfig({ file, ...(overrides === undefined ? {} : { overrides }) });
  return { ...loaded, log: createLogger({ level: loaded.config.logLevel }) };
}

/** The config file a service runs with (--config, else SENSORWATCH_CONFIG): what SIGHUP re-reads. */
export function configFileOf(flag: string | undefined): string | undefined {
  return configFileFrom(flag);
}

/** --brokers, else kafka.brokers, else the local broker `sensorwatch kafka start` is running. */
export function resolveBrokers(config: Config, flag: string | undefined): string[] {
  if (flag !== undefined && flag.trim() !== '') return flag.split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (config.kafka.brokers.length > 0) return [...config.kafka.brokers];
  const local = readBrokerInfo(config.kafka.localBroker.dataDir);
  if (local !== undefined) return local.brokers;
  throw new SensorwatchError(
    `no Kafka brokers: set kafka.brokers (or KAFKA_BROKERS), pass --brokers host:port, or start the local broker with 'sensorwatch kafka start' (looked for it in ${config.kafka.localBroker.dataDir})`,
    { code: 'no_brokers' },
  );
}

/** Prints an error for a person (message, code, cause) and returns exit code 1. */
export function reportCliError(command: string, err: unknown): number {
  const e = err as Error & { code?: string; cause?: unknown };
  const cause = e.cause instanceof Error ? `\n  cause: ${e.cause.message}` : '';
  process.stderr.write(`sensorwatch ${command}: ${e.message ?? String(err)}${e.code ? ` [${e.code}]` : ''}${cause}\n`);
  return 1;
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
