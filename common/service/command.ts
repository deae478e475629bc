// A service command's edge, the same for ingest and the scorer: its flags, its
// config (file, env, overrides), its brokers, then serveUntilSignal around the
// service's own start(); a start-up error is one line and exit 1.
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { loadCliConfig, reportCliError, resolveBrokers } from './edge.ts';
import type { Registry } from './metrics-registry.ts';
import { parseServiceFlags, serveUntilSignal, type RunningService } from './serve.ts';

export interface ServiceStart {
  config: Config;
  log: Logger;
  registry: Registry;
  brokers: string[];
  configFile: string | undefined;
  env: Record<string, string | undefined>;
  /** Values of the command's own string options. */
  extra: Record<string, string | undefined>;
  onFatal: (error: unknown) => void;
}

export interface ServiceCommand {
  name: string;
  argv: string[];
  usage: string;
  /** The command's own string options, beside --config, --brokers and --metrics-port. */
  extraFlags?: readonly string[];
  start(ctx: ServiceStart): Promise<RunningService>;
}

export async function runServiceCommand(command: ServiceCommand): Promise<number> {
  const { name } = command;
  const flags = parseServiceFlags(name, command.argv, command.usage, command.extraFlags ?? []);
  if ('exit' in flags) return flags.exit;
  try {
    const { config, log, configFile, env } = loadCliConfig(flags.config);
    const brokers = resolveBrokers(config, flags.brokers);
    return await serveUntilSignal({
      name,
      config,
      log,
      metricsPort: flags.metricsPort,
      brokers,
      configFile,
      env,
      start: ({ registry, onFatal }) => command.start({ config, log, registry, brokers, configFile, env, extra: flags.extra, onFatal }),
    });
  } catch (err) {
    return reportCliError(name, err);
  }
}
