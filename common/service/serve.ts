// Running one service as a process: its own registry with Node's default
// metrics, /metrics + /healthz + /livez, until SIGINT/SIGTERM (exit 0) or until
// the service reports it cannot go on (exit 1, so a supervisor restarts it).
import { parseArgs } from 'node:util';
import { Registry } from './metrics-registry.ts';
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { watchBrokers, type BrokerWatch } from './broker-watch.ts';
import { untilSignal } from './edge.ts';
import { collectDefaultMetricsOnce, startMetricsServer } from './http.ts';

export interface RunningService {
  ready(): boolean;
  health(): Record<string, unknown>;
  stop(): Promise<void>;
}

export interface ServeOptions {
  name: string;
  config: Config;
  log: Logger;
  /** --metrics-port, else config.metrics.port. */
  metricsPort?: number | undefined;
  /**
   * The brokers the service uses: /healthz then also checks that they answer,
   * and says not ready once they have not for kafka.unreachableNotReadyMs.
   */
  brokers?: string[];
  start(ctx: { registry: Registry; onFatal: (error: unknown) => void }): Promise<RunningService>;
}

export async function serveUntilSignal(options: ServeOptions): Promise<number> {
  const { config, log, name } = options;
  const registry = new Registry();
  collectDefaultMetricsOnce(registry);
  let fatal: unknown;
  let wake: () => void = () => undefined;
  const failed = new Promise<void>((resolve) => (wake = resolve));
  // The port first: a port that cannot be bound ends the process (non-zero)
  // before it joins a consumer group, instead of a service without metrics or health.
  let service: RunningService | undefined;
  let brokers: BrokerWatch | undefined;
  const server = await startMetricsServer({
    host: config.metrics.host,
    port: options.metricsPort ?? config.metrics.port,
    registry,
    ready: () => (service?.ready() ?? false) && (brokers?.ready() ?? true),
    health: () => ({ service: name, ...(service?.health() ?? {}), ...(brokers === undefined ? {} : { broker: brokers.report() }) }),
  });
  // With metrics.port 0 this is where the chosen port is told.
  log.info('metrics served', { url: `http://${config.metrics.host}:${server.port}/metrics`, port: server.port });
  try {
    service = await options.start({ registry, onFatal: (error) => ((fatal = error), wake()) });
    if (options.brokers !== undefined) brokers = watchBrokers({ config, brokers: options.brokers, log });
  } catch (error) {
    await server.close();
    throw error;
  }
  const running = service;
  const why = await Promise.race([untilSignal(), failed.then(() => 'fatal' as const)]);
  log.info(`stopping ${name}`, { why });
  await brokers?.stop();
  await running.stop();
  await server.close();
  return fatal === undefined ? 0 : 1;
}

/** --metrics-port: undefined when absent; a message when it is not a port. */
export function parsePortFlag(text: string | undefined): number | undefined | { error: string } {
  if (text === undefined) return undefined;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port < 65536 ? port : { error: `--metrics-port must be a port number 0-65535, got '${text}'` };
}

export interface ServiceFlags {
  config: string | undefined;
  brokers: string | undefined;
  metricsPort: number | undefined;
  /** Values of the command's extra string options. */
  extra: Record<string, string | undefined>;
}

/**
 * The flags every service command takes (--config, --brokers, --metrics-port,
 * --help) plus its own string options. Returns the flags, or the exit code
 * after printing usage (0 for --help, 2 for a bad flag).
 */
export function parseServiceFlags(verb: string, argv: string[], usage: string, extra: readonly string[] = []): ServiceFlags | { exit: number } {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' } | { type: 'boolean'; short: string }> = {
      config: { type: 'string' },
      brokers: { type: 'string' },
      'metrics-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    };
    for (const name of extra) options[name] = { type: 'string' };
    values = parseArgs({ args: argv, options, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    process.stderr.write(`sensorwatch ${verb}: ${(err as Error).message}\n\n${usage}`);
    return { exit: 2 };
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return { exit: 0 };
  }
  const metricsPort = parsePortFlag(values['metrics-port'] as string | undefined);
  if (typeof metricsPort === 'object') {
    process.stderr.write(`sensorwatch ${verb}: ${metricsPort.error}\n`);
    return { exit: 2 };
  }
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return { config: str('config'), brokers: str('brokers'), metricsPort, extra: Object.fromEntries(extra.map((n) => [n, str(n)])) };
}
