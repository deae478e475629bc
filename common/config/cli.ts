// `sensorwatch config check FILE` validates a file and lists every problem;
// `sensorwatch config defaults` prints the embedded default as YAML;
// `sensorwatch config table` prints the README's config table.
import { stringify } from 'yaml';
import { defaultConfig } from './defaults.ts';
import { ConfigError, loadConfig } from './load.ts';
import { renderConfigTable } from './table.ts';
import { sensorTypeWarnings } from './sensor-types.ts';

const usage = 'usage: sensorwatch config check FILE | config defaults | config table';

export async function run(argv: string[]): Promise<number> {
  const [sub, file] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (sub === 'table') {
    process.stdout.write(`${renderConfigTable()}\n`);
    return 0;
  }
  if (sub === 'defaults') {
    process.stdout.write(stringify(defaultConfig));
    return 0;
  }
  if (sub !== 'check' || file === undefined) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  try {
    const config = loadConfig({ file, env: process.env });
    for (const w of sensorTypeWarnings(config)) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(`${file}: ok\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
