// `sensorwatch ingest [--config FILE] [--brokers LIST] [--metrics-port N]`:
// runs the ingest service with its own /metrics and /healthz until SIGINT or
// SIGTERM; exits 1 if ingest cannot continue (a supervisor restarts it).
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { collectDefaultMetricsOnce, startMetricsServer } from '../scorer/http.ts';
import { loadCliConfig, reportCliError, resolveBrokers, untilSignal } from './edge.ts';
import { startIngest } from './service.ts';

const usage = `usage: sensorwatch ingest [--config FILE] [--brokers host:port,...] [--metrics-port N]

Consumes topics.readings, cuts windows by event time, publishes them to
topics.windows and bad records to topics.deadLetter. Metrics on
http://<metrics.host>:<metrics.port>/metrics (and /healthz).
`;

export async function run(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, brokers: { type: 'string' }, 'metrics-port': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`sensorwatch ingest: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  const metricsPort = flags['metrics-port'] === undefined ? undefined : Number(flags['metrics-port']);
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort < 65536)) {
    process.stderr.write(`sensorwatch ingest: --metrics-port must be a port number 0-65535, got '${flags['metrics-port']}'\n`);
    return 2;
  }
  try {
    const { config, log } = loadCliConfig(flags.config);
    const brokers = resolveBrokers(config, flags.brokers);
    const registry = new Registry();
    collectDefaultMetricsOnce(registry);
    let fatal: Error | undefined;
    let wake: () => void = () => undefined;
    const failed = new Promise<void>((resolve) => (wake = resolve));
    const service = await startIngest({ config, log, registry, brokers, onFatal: (e) => ((fatal = e), wake()) });
    const server = await startMetricsServer({
      host: config.metrics.host,
      port: metricsPort ?? config.metrics.port,
      registry,
      ready: service.ready,
      health: () => ({ service: 'ingest', groupId: service.groupId }),
    });
    log.info('metrics served', { url: `http://${config.metrics.host}:${server.port}/metrics` });
    const why = await Promise.race([untilSignal(), failed.then(() => 'fatal' as const)]);
    log.info('stopping ingest', { why });
    await service.stop();
    await server.close();
    return fatal === undefined ? 0 : 1;
  } catch (err) {
    return reportCliError('ingest', err);
  }
}
