// The `sensorwatch` command line: one verb per module. Each module exports
// `run(argv): Promise<number>` (the exit code) and owns its own flags.
// A SensorwatchError a verb lets through (a missing java, an invalid config …)
// is a message for a person: one line, exit 1. Anything else is a bug and
// keeps its stack.
import { SensorwatchError } from '../common/errors.ts';
type CommandModule = { run(argv: string[]): Promise<number> };

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  demo: { summary: 'run the whole pipeline locally on the embedded default (npm start)', load: () => import('./demo.ts') },
  kafka: { summary: 'start|stop|status the local single-node Kafka broker; fetch its jars (Maven)', load: () => import('../common/kafka-local/cli.ts') },
  simulate: { summary: 'produce simulated sensor readings with labelled anomalies', load: () => import('../ingest/simulate/cli.ts') },
  ingest: { summary: 'run the ingest service (readings -> windows)', load: () => import('../ingest/cli.ts') },
  train: { summary: 'train a model once (--once) or run the scheduled trainer service', load: () => import('../trainer/cli.ts') },
  models: { summary: 'list|show|rollback versioned models', load: () => import('../trainer/models-cli.ts') },
  scorer: { summary: 'run the scorer service (windows -> alerts)', load: () => import('../scorer/cli.ts') },
  eval: { summary: 'backtest on historical CSV or NAB data', load: () => import('../eval/cli.ts') },
  bench: { summary: 'speed, latency and memory benchmarks', load: () => import('../bench/cli.ts') },
  alerts: { summary: 'tail: alert events as JSON lines (--follow, --from-beginning, --sensor ID); mark ALERT_ID --as VERDICT: give an operator verdict on an alert', load: () => import('./alerts.ts') },
  'dead-letters': { summary: 'tail: dead letters as JSON lines (--follow, --from-beginning, --sensor ID)', load: () => import('./dead-letters.ts') },
  config: { summary: 'check FILE | defaults | table: validate a config file, print the embedded default (YAML), print the README config table', load: () => import('../common/config/cli.ts') },
};

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return ['usage: sensorwatch <command> [options]', '', 'commands:', ...rows, ''].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(usage());
    return verb === undefined ? 2 : 0;
  }
  const command = commands[verb];
  if (command === undefined) {
    process.stderr.write(`sensorwatch: unknown command '${verb}'\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return runVerb(verb, () => mod.run(rest));
}

/** Runs one verb: a SensorwatchError becomes `sensorwatch <verb>: <message> [code]` on stderr and exit code 1; any other error is rethrown. */
export async function runVerb(verb: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    // Loaded here, not at start: `sensorwatch --help` stays free of the service modules.
    if (err instanceof SensorwatchError) return (await import('../common/service/edge.ts')).reportCliError(verb, err);
    throw err;
  }
}
