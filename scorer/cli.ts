// `sensorwatch scorer [--config FILE] [--brokers LIST] [--group ID] [--metrics-port N]`:
// runs the scorer with its own /metrics and /healthz until SIGINT or SIGTERM;
// SIGHUP (or saving the config file) applies edited thresholds, hysteresis,
// severities and per-sensor overrides live. Exits 1 if scoring cannot go on.
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { loadCliConfig, reportCliError, resolveBrokers, untilSignal } from '../ingest/edge.ts';
import { collectDefaultMetricsOnce, startMetricsServer } from './http.ts';
import { startScorer } from './service.ts';

const usage = `usage: sensorwatch scorer [--config FILE] [--brokers host:port,...] [--group ID] [--metrics-port N]

Consumes topics.windows in consumer group ID (default <kafka.clientId>.scorer;
start more scorers with the same group to share the partitions), scores each
window with the model in force, and publishes alert events to topics.alerts.
Edits to FILE (or SIGHUP) change thresholds, hysteresis, severities and
per-sensor overrides without a restart. Metrics on
http://<metrics.host>:<metrics.port>/metrics (and /healthz).
`;

export async function run(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        brokers: { type: 'string' },
        group: { type: 'string' },
        'metrics-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`sensorwatch scorer: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  const metricsPort = flags['metrics-port'] === undefined ? undefined : Number(flags['metrics-port']);
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort < 65536)) {
    process.stderr.write(`sensorwatch scorer: --metrics-port must be a port number 0-65535, got '${flags['metrics-port']}'\n`);
    return 2;
  }
  try {
    const { config, log } = loadCliConfig(flags.config);
    const brokers = resolveBrokers(config, flags.brokers);
    const registry = new Registry();
    collectDefaultMetricsOnce(registry);
    let fatal: unknown;
    let wake: () => void = () => undefined;
    const failed = new Promise<void>((resolve) => (wake = resolve));
    const configFile = flags.config ?? process.env.SENSORWATCH_CONFIG;
    const scorer = await startScorer({
      config,
      ...(configFile === undefined || configFile === '' ? {} : { configFile }),
      log,
      registry,
      env: process.env,
      brokers,
      ...(flags.group === undefined ? {} : { groupId: flags.group }),
      sighup: true,
      onFatal: (error) => {
        fatal = error;
        wake();
      },
    });
    const server = await startMetricsServer({
      host: config.metrics.host,
      port: metricsPort ?? config.metrics.port,
      registry,
      ready: scorer.ready,
      health: () => ({ service: 'scorer', groupId: scorer.groupId, models: scorer.models() }),
    });
    log.info('metrics served', { url: `http://${config.metrics.host}:${server.port}/metrics` });
    const why = await Promise.race([untilSignal(), failed.then(() => 'fatal' as const)]);
    log.info('stopping scorer', { why });
    await scorer.stop();
    await server.close();
    return fatal === undefined ? 0 : 1;
  } catch (err) {
    return reportCliError('scorer', err);
  }
}
