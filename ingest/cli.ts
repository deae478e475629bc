// `sensorwatch ingest [--config FILE] [--brokers LIST] [--metrics-port N]`:
// runs the ingest service with its own /metrics and /healthz until SIGINT or
// SIGTERM; exits 1 if ingest cannot continue (a supervisor restarts it).
import { parseArgs } from 'node:util';
import { loadCliConfig, reportCliError, resolveBrokers } from '../common/service/edge.ts';
import { parsePortFlag, serveUntilSignal } from '../common/service/serve.ts';
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
  const metricsPort = parsePortFlag(flags['metrics-port']);
  if (typeof metricsPort === 'object') {
    process.stderr.write(`sensorwatch ingest: ${metricsPort.error}\n`);
    return 2;
  }
  try {
    const { config, log } = loadCliConfig(flags.config);
    const brokers = resolveBrokers(config, flags.brokers);
    return await serveUntilSignal({
      name: 'ingest',
      config,
      log,
      metricsPort,
      start: async ({ registry, onFatal }) => {
        const service = await startIngest({ config, log, registry, brokers, onFatal });
        return { ready: service.ready, health: () => ({ groupId: service.groupId }), stop: () => service.stop() };
      },
    });
  } catch (err) {
    return reportCliError('ingest', err);
  }
}
