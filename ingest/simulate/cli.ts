// `sensorwatch simulate`: a fleet of simulated sensors producing readings to
// topics.readings in real time (with sensorTypes: each type's sensors, channels
// and rate, on the one topic), with injected anomalies labelled on
// topics.labels and optionally in a JSON Lines file. Like every service:
// SIGHUP does not end it (it logs the config edits that need a restart), and
// its bounded stop ends with a `stopped` line.
import { enumFlag, FlagError, numberFlag, parseFlags } from '../../common/config/flags.ts';
import { readingFormats } from '../../common/codec/headers.ts';
import { loadCliConfig, reportCliError, resolveBrokers, untilSignal } from '../../common/service/edge.ts';
import { exitSoon, handleSighup } from '../../common/service/serve.ts';
import { stopInSteps } from '../../common/service/stop.ts';
import { startSimulation } from './service.ts';

const usage = `usage: sensorwatch simulate [options]

  --sensors N          sensors in the fleet, per sensor type with sensorTypes (default simulator.sensors)
  --rate HZ            readings per second per sensor (default simulator.rateHz); with
                       sensorTypes each type samples at its windowing.samplePeriodMs instead
  --duration S         seconds of event time to produce, then exit (default: until Ctrl-C)
  --format ${readingFormats.join('|')}   wire format of the readings (default avro)
  --labels-file F      also write injected anomalies to F (JSON Lines)
  --anomaly-every S    mean seconds between anomalies per sensor; 0: none (default simulator.anomalyEverySeconds)
  --quiet S            no anomalies in the first S seconds
  --seed N             random seed (default simulator.seed)
  --fast               do not pace by the wall clock (needs --duration; event time ends at now)
  --config FILE        configuration file
  --brokers LIST       host:port,... (default kafka.brokers, else the local broker)
`;

export async function run(argv: string[]): Promise<number> {
  let flags;
  let format: (typeof readingFormats)[number];
  let parsed: { sensors?: number; rate?: number; duration?: number; anomalyEvery?: number; quiet?: number; seed?: number };
  try {
    flags = parseFlags(argv, {
      sensors: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      format: { type: 'string' },
      'labels-file': { type: 'string' },
      'anomaly-every': { type: 'string' },
      quiet: { type: 'string' },
      seed: { type: 'string' },
      fast: { type: 'boolean' },
      config: { type: 'string' },
      brokers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    format = enumFlag('format', flags.format, readingFormats) ?? 'avro';
    parsed = {};
    const set = <K extends keyof typeof parsed>(k: K, v: number | undefined): void => {
      if (v !== undefined) parsed[k] = v;
    };
    set('sensors', numberFlag('sensors', flags.sensors, (n) => Number.isInteger(n) && n >= 1, 'a positive integer'));
    set('rate', numberFlag('rate', flags.rate, (n) => n > 0 && n <= 1000, 'a rate in Hz, above 0 and at most 1000'));
    set('duration', numberFlag('duration', flags.duration, (n) => n > 0, 'a number of seconds above 0'));
    set('anomalyEvery', numberFlag('anomaly-every', flags['anomaly-every'], (n) => n >= 0, 'seconds >= 0'));
    set('quiet', numberFlag('quiet', flags.quiet, (n) => n >= 0, 'seconds >= 0'));
    set('seed', numberFlag('seed', flags.seed, Number.isSafeInteger, 'an integer'));
    if (flags.fast === true && parsed.duration === undefined) throw new FlagError('--fast needs --duration');
  } catch (err) {
    process.stderr.write(`sensorwatch simulate: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  try {
    const { config, log, configFile, env } = loadCliConfig(flags.config);
    const brokers = resolveBrokers(config, flags.brokers);
    // Before the first line that says it runs: a SIGHUP from then on is handled, never the default (exit).
    handleSighup({ name: 'simulator', config, log, configFile, env }, () => undefined);
    const sim = await startSimulation({
      config,
      log,
      brokers,
      format,
      fast: flags.fast === true,
      ...(parsed.sensors === undefined ? {} : { sensors: parsed.sensors }),
      ...(parsed.rate === undefined ? {} : { rateHz: parsed.rate }),
      ...(parsed.duration === undefined ? {} : { durationSeconds: parsed.duration }),
      ...(parsed.anomalyEvery === undefined ? {} : { anomalyEverySeconds: parsed.anomalyEvery }),
      ...(parsed.quiet === undefined ? {} : { quietSeconds: parsed.quiet }),
      ...(parsed.seed === undefined ? {} : { seed: parsed.seed }),
      ...(flags['labels-file'] === undefined ? {} : { labelsFile: flags['labels-file'] }),
    });
    const why = await Promise.race([sim.done.then(() => 'done' as const), untilSignal()]);
    const started = Date.now();
    let stats = why === 'done' ? await sim.done : undefined;
    const outcome = await stopInSteps([{ name: 'the readings producer (flush and disconnect)', run: async () => void (stats = await sim.stop()) }], { budgetMs: 25_000, log });
    log.info('stopped', { service: 'simulator', why, stopMs: Date.now() - started, ...(outcome.gaveUpOn.length === 0 ? {} : { gaveUpOn: outcome.gaveUpOn }) });
    exitSoon(log, 'simulator', stats === undefined ? 1 : 0);
    if (stats === undefined) return 1;
    const kinds = sim.types.length === 1 ? '' : ` of ${sim.types.length} types (${sim.types.map((t) => `${t.name} ${t.ids?.length ?? t.sensors}`).join(', ')})`;
    process.stdout.write(`produced ${stats.readings} readings from ${sim.sensorIds.length} sensors${kinds} and ${stats.labels} anomaly labels to ${config.topics.readings} / ${config.topics.labels}\n`);
    return 0;
  } catch (err) {
    return reportCliError('simulate', err);
  }
}
