// How a command gets its configuration: the file named by --config (else
// SENSORWATCH_CONFIG), connection settings from the environment (schema.ts names
// the variables) and the command's flag overrides, validated together by
// loadConfig. This file and config/cli.ts are the only production readers of
// process.env for config; the env comes back with the config so a service's
// reload (SIGHUP) reads the same environment.
import type { Obj } from './obj.ts';
import { loadConfig } from './load.ts';
import type { Config } from './types.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface CommandLineConfig {
  config: Config;
  /** The file the config came from (--config, else SENSORWATCH_CONFIG): what a reload re-reads; undefined: the embedded defaults. */
  configFile: string | undefined;
  env: Env;
}

/** The config file a command runs with: --config, else SENSORWATCH_CONFIG, else none. */
export function configFileOf(flag: string | undefined, env: Env = process.env): string | undefined {
  const file = flag ?? env.SENSORWATCH_CONFIG;
  return file === undefined || file === '' ? undefined : file;
}

/** Loads the config for a command: its --config file (or SENSORWATCH_CONFIG), the environment, then `overrides` (flags); every key and cross-field rule is checked. */
export function loadCommandLineConfig(options: { file?: string | undefined; overrides?: Obj } = {}): CommandLineConfig {
  const env: Env = process.env;
  const configFile = configFileOf(options.file, env);
  const config = loadConfig({ ...(configFile === undefined ? {} : { file: configFile }), env, ...(options.overrides === undefined ? {} : { overrides: options.overrides }) });
  return { config, configFile, env };
}
