// `sensorwatch scorer [--config FILE] [--brokers LIST] [--group ID] [--metrics-port N]`:
// runs the scorer with its own /metrics and /healthz until SIGINT or SIGTERM;
// SIGHUP (or saving the config file) applies edited thresholds, hysteresis,
// severities and per-sensor overrides live. Exits 1 if scoring cannot go on.
import { runServiceCommand } from '../common/service/command.ts';
import { startScorer } from './service.ts';

const usage = `usage: sensorwatch scorer [--config FILE] [--brokers host:port,...] [--group ID] [--metrics-port N]

Consumes topics.windows in consumer group ID (default <kafka.clientId>.scorer;
start more scorers with the same group to share the partitions), scores each
window with the model in force, and publishes alert events to topics.alerts.
Edits to FILE (or SIGHUP) change thresholds, hysteresis, severities and
per-sensor overrides without a restart. Metrics on
http://<metrics.host>:<metrics.port>/metrics (and /healthz).
`;

export function run(argv: string[]): Promise<number> {
  return runServiceCommand({
    name: 'scorer',
    argv,
    usage,
    extraFlags: ['group'],
    start: async ({ config, log, registry, brokers, configFile, env, extra, onFatal }) => {
      const scorer = await startScorer({
        config,
        ...(configFile === undefined ? {} : { configFile }),
        log,
        registry,
        env,
        brokers,
        ...(extra.group === undefined ? {} : { groupId: extra.group }),
        // SIGHUP comes through serveUntilSignal (reload below), which keeps it from ending the process.
        sighup: false,
        onFatal,
      });
      return { ready: scorer.ready, health: () => ({ groupId: scorer.groupId, models: scorer.models() }), stop: () => scorer.stop(), reload: (reason) => scorer.reload(reason) };
    },
  });
}
