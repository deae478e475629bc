// `sensorwatch kafka start|stop|status|fetch`: the local single-node broker.
//   start [--port N] [--data-dir D] [--heap-mb N] [--foreground] [--full-jit] [--config FILE]
//   stop [--data-dir D]      status [--data-dir D] [--json]      fetch
// Without --foreground the broker outlives the command; its pid and ports are
// kept in the data dir (broker.pid, broker.json) for stop and status.
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCommandLineConfig } from '../config/command-line.ts';
import { SensorwatchError } from '../errors.ts';
import { brokerLayout } from './broker-config.ts';
import { ensureKafkaJars, kafkaVersion } from './jars.ts';
import { readBrokerInfo, startLocalBroker } from './local-broker.ts';
import { probeBrokers } from '../kafka/probe.ts';
import { isAlive, stopPid } from './process.ts';

const usage = `usage: sensorwatch kafka <start|stop|status|fetch> [options]
  start   [--port N] [--data-dir D] [--heap-mb N] [--foreground] [--full-jit] [--config FILE]
          start the local single-node broker (default port from kafka.localBroker.port, 9092;
          data dir from kafka.localBroker.dataDir, .data/kafka); returns once it answers;
          --full-jit: full JIT for peak throughput (benchmarks) instead of a quick start
  stop    [--data-dir D]           stop it (SIGTERM, SIGKILL after 30 s)
  status  [--data-dir D] [--json]  pid, port and whether it answers metadata requests (exit 1 if not)
  fetch                            only resolve the Kafka jars with Maven (CI)
The config is --config FILE, else SENSORWATCH_CONFIG, else the embedded defaults.
`;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'heap-mb': { type: 'string' },
        foreground: { type: 'boolean' },
        'full-jit': { type: 'boolean' },
        config: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`sensorwatch kafka: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help || sub === '--help' || sub === '-h' || sub === 'help') {
    say(usage);
    return 0;
  }
  const { config } = loadCommandLineConfig({ file: typeof values.config === 'string' ? values.config : undefined });
  const dataDir = resolve(typeof values['data-dir'] === 'string' ? values['data-dir'] : config.kafka.localBroker.dataDir);
  switch (sub) {
    case 'start':
      return start(dataDir, {
        port: intFlag(values.port, '--port', config.kafka.localBroker.port),
        heapMb: intFlag(values['heap-mb'], '--heap-mb', 512),
        foreground: values.foreground === true,
        quickStart: values['full-jit'] !== true,
      });
    case 'stop':
      return stop(dataDir);
    case 'status':
      return status(dataDir, values.json === true);
    case 'fetch': {
      const libDir = await ensureKafkaJars({ log: say });
      say(`Apache Kafka ${kafkaVersion()} jars in ${libDir}`);
      return 0;
    }
    default:
      process.stderr.write(sub === undefined ? usage : `sensorwatch kafka: unknown subcommand '${sub}'\n\n${usage}`);
      return 2;
  }
}

function intFlag(raw: string | boolean | undefined, name: string, fallback: number): number {
  if (typeof raw !== 'string') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new SensorwatchError(`${name} must be a non-negative integer, got '${raw}'`, { code: 'usage' });
  }
  return value;
}

async function start(dataDir: string, options: { port: number; heapMb: number; foreground: boolean; quickStart: boolean }): Promise<number> {
  const running = readBrokerInfo(dataDir);
  if (running !== undefined && isAlive(running.pid)) {
    say(`Kafka already running at ${running.brokers.join(',')} (pid ${running.pid}, data ${dataDir})`);
    return 0;
  }
  const layout = brokerLayout(dataDir);
  const broker = await startLocalBroker({
    port: options.port,
    dataDir,
    heapMb: options.heapMb,
    quickStart: options.quickStart,
    detached: !options.foreground,
    log: (m) => process.stderr.write(`[kafka] ${m}\n`),
  });
  writeFileSync(layout.pidFile, `${broker.pid}\n`);
  say(`Kafka ready at ${broker.brokers.join(',')} (pid ${broker.pid}, data ${dataDir}, log ${broker.serverLog})`);
  if (!options.foreground) return 0;

  say('running in the foreground; Ctrl-C stops it');
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await broker.stop();
  rmSync(layout.pidFile, { force: true });
  return 0;
}

async function stop(dataDir: string): Promise<number> {
  const layout = brokerLayout(dataDir);
  const info = readBrokerInfo(dataDir);
  if (info === undefined || !isAlive(info.pid)) {
    say(`Kafka is not running (data ${dataDir})`);
    rmSync(layout.pidFile, { force: true });
    rmSync(layout.infoFile, { force: true });
    return 0;
  }
  const how = await stopPid(info.pid);
  rmSync(layout.pidFile, { force: true });
  rmSync(layout.infoFile, { force: true });
  say(`Kafka (pid ${info.pid}) stopped${how === 'killed' ? ' with SIGKILL after the grace period' : ''}`);
  return 0;
}

async function status(dataDir: string, json: boolean): Promise<number> {
  const info = readBrokerInfo(dataDir);
  const alive = info !== undefined && isAlive(info.pid);
  const probe = alive ? await probeBrokers(info.brokers) : undefined;
  const report = {
    running: alive,
    answers: probe?.ok === true,
    pid: alive ? info.pid : null,
    port: alive ? info.port : null,
    brokers: alive ? info.brokers : [],
    version: info?.version ?? kafkaVersion(),
    dataDir,
    ...(probe?.error === undefined ? {} : { error: probe.error }),
  };
  if (json) say(JSON.stringify(report));
  else if (!alive) say(`Kafka is not running (data ${dataDir})`);
  else
    say(
      `Kafka ${report.version}: pid ${info.pid}, port ${info.port}, ${probe?.ok ? 'answers metadata requests' : `does not answer (${probe?.error})`}, data ${dataDir}`,
    );
  return report.answers ? 0 : 1;
}
