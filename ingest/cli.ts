// `sensorwatch ingest [--config FILE] [--brokers LIST] [--metrics-port N]`:
// runs the ingest service with its own /metrics and /healthz until SIGINT or
// SIGTERM; exits 1 if ingest cannot continue (a supervisor restarts it).
// SIGHUP re-reads the config file: sensor types and sensors added apply live
// (service.ts typeReload); every other edit is logged as needing a restart.
import { runServiceCommand } from '../common/service/command.ts';
import { startIngest } from './service.ts';

const usage = `usage: sensorwatch ingest [--config FILE] [--brokers host:port,...] [--metrics-port N]

Consumes topics.readings, cuts windows by event time, publishes them to
topics.windows and bad records to topics.deadLetter. SIGHUP re-reads FILE:
sensor types added, and sensors added to a type, apply live; other edits are
logged as needing a restart. Metrics on
http://<metrics.host>:<metrics.port>/metrics (and /healthz).
`;

export function run(argv: string[]): Promise<number> {
  return runServiceCommand({
    name: 'ingest',
    argv,
    usage,
    start: async ({ config, log, registry, brokers, configFile, env, onFatal }) => {
      const service = await startIngest({ config, log, registry, brokers, onFatal, env, ...(configFile === undefined ? {} : { configFile }) });
      return { ready: service.ready, health: () => ({ groupId: service.groupId }), stop: () => service.stop(), reload: (reason) => service.reload(reason) };
    },
  });
}
