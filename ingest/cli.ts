// `sensorwatch ingest [--config FILE] [--brokers LIST] [--metrics-port N]`:
// runs the ingest service with its own /metrics and /healthz until SIGINT or
// SIGTERM; exits 1 if ingest cannot continue (a supervisor restarts it).
// SIGHUP re-reads the config file and logs the edits that need a restart
// (ingest reads all of its config at start-up).
import { loadCliConfig, reportCliError, resolveBrokers } from '../common/service/edge.ts';
import { parseServiceFlags, serveUntilSignal } from '../common/service/serve.ts';
import { startIngest } from './service.ts';

const usage = `usage: sensorwatch ingest [--config FILE] [--brokers host:port,...] [--metrics-port N]

Consumes topics.readings, cuts windows by event time, publishes them to
topics.windows and bad records to topics.deadLetter. SIGHUP re-reads FILE and
logs the edits that need a restart. Metrics on
http://<metrics.host>:<metrics.port>/metrics (and /healthz).
`;

export async function run(argv: string[]): Promise<number> {
  const flags = parseServiceFlags('ingest', argv, usage);
  if ('exit' in flags) return flags.exit;
  const metricsPort = flags.metricsPort;
  try {
    const { config, log, configFile, env } = loadCliConfig(flags.config);
    const brokers = resolveBrokers(config, flags.brokers);
    return await serveUntilSignal({
      name: 'ingest',
      config,
      log,
      metricsPort,
      brokers,
      configFile,
      env,
      start: async ({ registry, onFatal }) => {
        const service = await startIngest({ config, log, registry, brokers, onFatal });
        return { ready: service.ready, health: () => ({ groupId: service.groupId }), stop: () => service.stop() };
      },
    });
  } catch (err) {
    return reportCliError('ingest', err);
  }
}
