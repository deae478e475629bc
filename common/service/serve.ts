// Running one service as a process: its own registry with Node's default
// metrics, /metrics + /healthz + /livez, until SIGINT/SIGTERM (exit 0) or until
// the service reports it cannot go on (exit 1, so a supervisor restarts it).
// SIGHUP never ends it: the service reloads its config file (reload.ts) and
// logs what needs a restart. The stop is bounded (stop.ts) and ends with a
// `stopped` line saying how long it took; a client still holding the process
// open after that does not keep it from exiting.
import { parseFlags } from '../config/flags.ts';
import { Registry } from './metrics-registry.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { watchBrokers, type BrokerWatch } from './broker-watch.ts';
import { untilSignal } from './edge.ts';
import { collectDefaultMetricsOnce, startMetricsServer } from './http.ts';
import { watchConfig, type ConfigWatch } from './reload.ts';
import { stopInSteps } from './stop.ts';

export interface RunningService {
  ready(): boolean;
  health(): Record<string, unknown>;
  stop(): Promise<void>;
  /** Re-reads the config file and applies what can change live (SIGHUP). Without it, SIGHUP logs which edits need a restart. */
  reload?(reason: string): void;
}

/** SIGTERM to exit: the service's own stop is bounded to less (25 s), the rest is for the broker watch and the HTTP server. */
export const stopBudgetMs = 28_000;

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
  /** The config file (--config, else SENSORWATCH_CONFIG) and the environment it was loaded with: SIGHUP re-reads it. */
  configFile?: string | undefined;
  env?: Record<string, string | undefined>;
  start(ctx: { registry: Registry; onFatal: (error: unknown) => void }): Promise<RunningService>;
}

export type SighupOptions = Pick<ServeOptions, 'name' | 'config' | 'log' | 'configFile' | 'env'>;

/**
 * Handles SIGHUP until the returned function is called: the service's own
 * reload when `reload()` gives one, else the file is re-read and every edited
 * key logged as needing a restart (all of that service's config is read at
 * start-up), else a line that there is no file. Never lets SIGHUP end the process.
 */
export function handleSighup(options: SighupOptions, reload: () => ((reason: string) => void) | undefined): () => void {
  const { configFile, log, name } = options;
  const env = options.env ?? {};
  const notice: ConfigWatch | null =
    configFile === undefined || configFile === ''
      ? null
      : watchConfig({ service: name, file: configFile, initial: options.config, load: (file) => loadConfig({ file, env }), log, restartOnly: ['*'], watchFile: false });
  const onSighup = (): void => {
    const own = reload();
    if (own !== undefined) own('SIGHUP');
    else if (notice !== null) notice.reload('SIGHUP');
    else log.info(`SIGHUP: no config file to re-read (--config or SENSORWATCH_CONFIG); the ${name} goes on unchanged`);
  };
  process.on('SIGHUP', onSighup);
  return () => {
    process.off('SIGHUP', onSighup);
    notice?.stop();
  };
}

/**
 * Stopped is stopped: a client left behind (a reconnect timer, a socket to a broker that came back)
 * must not hold the process open. Unref'd: a process with nothing left exits at once anyway.
 */
export function exitSoon(log: Logger, name: string, code: number): void {
  setTimeout(() => {
    log.warn('handles still open after the stop; exiting anyway', { service: name });
    process.exit(code);
  }, 2000).unref();
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
  // From the first moment: a SIGHUP (a closed terminal, a fleet-wide `kill -HUP`) must not end the process.
  handleSighup(options, () => (service?.reload === undefined ? undefined : (reason) => service?.reload?.(reason)));
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
  const watch = brokers;
  const outcome = await stopInSteps(
    [
      { name: 'the broker watch', run: () => watch?.stop() },
      { name: `the ${name}`, run: () => running.stop() },
      { name: 'the metrics server', run: () => server.close() },
    ],
    { budgetMs: stopBudgetMs, log },
  );
  const code = fatal === undefined ? 0 : 1;
  log.info('stopped', { service: name, why, stopMs: outcome.tookMs, exitCode: code, ...(outcome.gaveUpOn.length === 0 ? {} : { gaveUpOn: outcome.gaveUpOn }) });
  exitSoon(log, name, code);
  // SIGHUP stays handled until the process is gone: a HUP while exiting must not turn exit 0 into 129.
  return code;
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
    values = parseFlags(argv, options) as Record<string, string | boolean | undefined>;
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
