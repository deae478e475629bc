// Running one service as a process: its own registry with Node's default
// metrics, /metrics + /healthz + /livez, until SIGINT/SIGTERM (exit 0) or until
// the service reports it cannot go on (exit 1, so a supervisor restarts it).
import { Registry } from 'prom-client';
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
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
  start(ctx: { registry: Registry; onFatal: (error: unknown) => void }): Promise<RunningService>;
}

export async function serveUntilSignal(options: ServeOptions): Promise<number> {
  const { config, log, name } = options;
  const registry = new Registry();
  collectDefaultMetricsOnce(registry);
  let fatal: unknown;
  let wake: () => void = () => undefined;
  const failed = new Promise<void>((resolve) => (wake = resolve));
  const service = await options.start({ registry, onFatal: (error) => ((fatal = error), wake()) });
  const server = await startMetricsServer({
    host: config.metrics.host,
    port: options.metricsPort ?? config.metrics.port,
    registry,
    ready: () => service.ready(),
    health: () => ({ service: name, ...service.health() }),
  });
  log.info('metrics served', { url: `http://${config.metrics.host}:${server.port}/metrics` });
  const why = await Promise.race([untilSignal(), failed.then(() => 'fatal' as const)]);
  log.info(`stopping ${name}`, { why });
  await service.stop();
  await server.close();
  return fatal === undefined ? 0 : 1;
}

/** --metrics-port: undefined when absent; a message when it is not a port. */
export function parsePortFlag(text: string | undefined): number | undefined | { error: string } {
  if (text === undefined) return undefined;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port < 65536 ? port : { error: `--metrics-port must be a port number 0-65535, got '${text}'` };
}
