// `npm start` / `sensorwatch demo`: the whole pipeline on one machine, on the
// embedded default config with the demo's fleet of three sensor types
// (demo/fleet.ts), or on --config FILE as it is: a local Kafka broker, simulator →
// ingest → trainer → scorer, one /metrics endpoint, and a live summary that
// scores the alerts against the anomalies the simulator injected, per sensor
// type and overall.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Registry } from '../common/service/metrics-registry.ts';
import { configFileOf, loadCommandLineConfig, type Env } from '../common/config/command-line.ts';
import { typeOf } from '../common/config/sensor-types.ts';
import { parseFlags } from '../common/config/flags.ts';
import type { Config } from '../common/config/types.ts';
import { startLocalBroker, type LocalBroker } from '../common/kafka-local/local-broker.ts';
import { createLogger, type Logger } from '../common/log.ts';
import { startIngest } from '../ingest/service.ts';
import { startSimulation } from '../ingest/simulate/service.ts';
import { watchBrokers } from '../common/service/broker-watch.ts';
import { collectDefaultMetricsOnce, startMetricsServer } from '../common/service/http.ts';
import { startScorer } from '../scorer/service.ts';
import { startDemoTrainer } from './demo/trainer.ts';
import { matchAlerts, misses } from './demo/match.ts';
import { recoveryFigures } from './demo/recovery.ts';
import { warmupPhase } from './demo/phase.ts';
import { rateWindow } from './demo/rate.ts';
import { renderSummary } from './demo/summary.ts';
import { watchOutputs } from './demo/watch.ts';
import { ensurePipelineTopics } from './demo/topics.ts';
import { isPortFree } from './demo/ports.ts';
import { demoFleetOverrides, demoTypes, typeOfModelKey, typeWarmupSeconds } from './demo/fleet.ts';
import { detectionByType, sumDetections, typeLines } from './demo/by-type.ts';

const usage = `usage: sensorwatch demo [--duration S] [--config FILE] [--metrics-port P] [--kafka-port P]
  --duration S      stop by itself after S seconds (exit 0); default: run until Ctrl-C
  --config FILE     YAML config, run as it is (default: the embedded default with the
                    demo's fleet of pumps, valves and tanks; see README)
  --metrics-port P  /metrics and /healthz port (default metrics.port, 9464)
  --kafka-port P    port of the local broker (default kafka.localBroker.port, 9092)
`;

type Stoppable = { name: string; stop(): Promise<void> };

/** With the broker's SIGTERM grace, one Ctrl-C ends the demo within 10 s. */
const serviceStopBudgetMs = 6000;
const brokerStopGraceMs = 3000;

/**
 * Stops each in turn within one shared budget; returns the names of those not
 * stopped (budget spent, or `skip` resolved by a second signal).
 */
export async function stopInOrder(
  items: Stoppable[],
  opts: { budgetMs: number; skip: Promise<unknown>; log: Pick<Logger, 'warn'> },
): Promise<string[]> {
  const deadline = Date.now() + opts.budgetMs;
  let skipped = false;
  void opts.skip.then(() => (skipped = true));
  for (const [i, s] of items.entries()) {
    const left = deadline - Date.now();
    if (skipped || left <= 0) return items.slice(i).map((x) => x.name);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      s.stop().then(
        () => 'stopped' as const,
        (err: unknown) => (opts.log.warn(`demo: stopping ${s.name} failed`, { error: err }), 'stopped' as const),
      ),
      new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), left))),
      opts.skip.then(() => 'late' as const),
    ]);
    clearTimeout(timer);
    if (outcome === 'late') return items.slice(i).map((x) => x.name);
  }
  return [];
}

async function metricTotals(registry: Registry): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const m of await registry.getMetricsAsJSON()) {
    totals.set(m.name, (m.values as { value: number }[]).reduce((s, v) => s + v.value, 0));
  }
  return totals;
}

async function modelLabel(registry: Registry): Promise<string> {
  const values = await liveModels(registry);
  if (values.length === 0) return 'none yet';
  return values.map((v) => `${String(v.labels.model)} v${String(v.labels.version)} (${String(v.labels.kind)}, ${String(v.labels.backend)})`).join(', ');
}

/** The scorer's loaded models (sensorwatch_model_info series at 1). */
async function liveModels(registry: Registry): Promise<{ labels: Record<string, string | number | undefined> }[]> {
  const info = registry.getSingleMetric('sensorwatch_model_info');
  if (info === undefined) return [];
  return (await info.get()).values.filter((v) => v.value === 1);
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseFlags(argv, { duration: { type: 'string' }, config: { type: 'string' }, 'metrics-port': { type: 'string' }, 'kafka-port': { type: 'string' }, help: { type: 'boolean' } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(usage);
    return 0;
  }
  const duration = args.duration === undefined ? null : Number(args.duration);
  if (duration !== null && !(duration > 0)) {
    process.stderr.write(`--duration must be a positive number of seconds, got '${args.duration}'\n`);
    return 2;
  }
  const overrides: Record<string, unknown> = {};
  if (args['metrics-port'] !== undefined) overrides.metrics = { port: Number(args['metrics-port']) };
  if (args['kafka-port'] !== undefined) overrides.kafka = { localBroker: { port: Number(args['kafka-port']) } };
  // Without a config file the demo runs its fleet of three sensor types; a file runs as it is.
  if (configFileOf(args.config) === undefined) Object.assign(overrides, demoFleetOverrides);
  const { config: loaded, env } = loadCommandLineConfig({ file: args.config, overrides });
  // Each demo run starts from an empty broker, so it also starts from an empty model cache.
  const modelDir = mkdtempSync(join(tmpdir(), 'sensorwatch-demo-models-'));
  const config: Config = { ...loaded, trainer: { ...loaded.trainer, modelDir } };
  try {
    return await runDemo(config, { duration, configFile: args.config, env });
  } finally {
    rmSync(modelDir, { recursive: true, force: true });
  }
}

async function runDemo(config: Config, opts: { duration: number | null; configFile: string | undefined; env: Env }): Promise<number> {
  mkdirSync('.data', { recursive: true });
  const logFile = resolve('.data', 'demo.log');
  const log: Logger = createLogger({ level: config.logLevel, write: (line) => appendFileSync(logFile, line) });
  const out = (s: string): void => void process.stdout.write(s);
  const started: Stoppable[] = [];
  let localBroker: LocalBroker | null = null;
  let failure: unknown = null;
  let stopRequested: () => void = () => undefined;
  const stopSignal = new Promise<void>((res) => (stopRequested = res));
  const onFatal = (err: unknown): void => {
    failure ??= err;
    log.error('demo: a service failed', { error: err });
    stopRequested();
  };
  // SIGINT and SIGTERM alike: the first stops cleanly (services, then the
  // broker), a second one skips what is left of the clean stop.
  let signals = 0;
  let skipRequested: () => void = () => undefined;
  const skipSignal = new Promise<'skip'>((res) => (skipRequested = () => res('skip')));
  const onSignal = (): void => {
    signals += 1;
    if (signals === 1) stopRequested();
    else skipRequested();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    let brokers = config.kafka.brokers;
    if (brokers.length === 0) {
      let port = config.kafka.localBroker.port;
      if (port !== 0 && !(await isPortFree(port))) {
        out(`port ${port} is taken (another Kafka?): the demo broker takes a free port instead (set --kafka-port to choose)\n`);
        port = 0;
      }
      out('starting the local Kafka broker (the first run fetches its jars with Maven) …\n');
      const broker: LocalBroker = await startLocalBroker({ port, log: (m) => log.info(m, { service: 'broker' }) });
      localBroker = broker;
      brokers = broker.brokers;
      out(`Kafka broker ready at ${brokers.join(',')}\n`);
    } else {
      out(`using the Kafka cluster at ${brokers.join(',')}\n`);
    }

    await ensurePipelineTopics(config, brokers, log);
    const registry = new Registry();
    collectDefaultMetricsOnce(registry);
    const ingest = await startIngest({ config, log, registry, brokers, onFatal });
    started.push({ name: 'ingest', stop: () => ingest.stop() });
    const types = demoTypes(config);
    const minWindows = types.reduce((s, t) => s + t.config.trainer.minWindows, 0);
    const trainer = await startDemoTrainer({ config, log, registry, brokers, onFatal, minWindows });
    started.push({ name: 'trainer', stop: () => trainer.stop() });
    const scorer = await startScorer({
      config,
      ...(opts.configFile === undefined ? {} : { configFile: opts.configFile }),
      env: opts.env,
      log,
      registry,
      brokers,
      sighup: true,
      onFatal,
    });
    started.push({ name: 'scorer', stop: () => scorer.stop() });
    const brokerWatch = watchBrokers({ config, brokers, log });
    if (brokerWatch !== undefined) started.push({ name: 'broker watch', stop: () => brokerWatch.stop() });
    const server = await startMetricsServer({
      host: config.metrics.host,
      port: config.metrics.port,
      registry,
      ready: () => ingest.ready() && scorer.ready() && (brokerWatch?.ready() ?? true),
      health: () => (brokerWatch === undefined ? {} : { broker: brokerWatch.report() }),
    });
    started.push({ name: 'metrics server', stop: () => server.close() });
    const metricsUrl = `http://${config.metrics.host}:${server.port}/metrics`;
    out(`metrics at ${metricsUrl}\n`);
    const watch = await watchOutputs(config, brokers, log);
    started.push({ name: 'output watch', stop: () => watch.stop() });
    const typeNamesRun = types.map((t) => t.name);
    const warmup = Math.max(...types.map(typeWarmupSeconds));
    // No anomalies until well after every type's first model is trained: it learns normal behaviour.
    const simulation = await startSimulation({ config, log, brokers, format: 'avro', quietSeconds: warmup + 20 });
    started.push({ name: 'simulator', stop: async () => void (await simulation.stop()) });

    const t0 = Date.now();
    let scoringSince: number | null = null;
    // Per type: when the scorer first had a model for it (its anomalies count from then).
    const typeScoringSince = new Map<string, number>();
    // Rates over the last 5 s: counters move in batches, and the stop tick comes a moment after the last.
    const rates = rateWindow();
    rates.add({ t: t0, readings: 0, scored: 0, windows: 0 });
    const tty = process.stdout.isTTY === true;
    const deadline = opts.duration === null ? null : t0 + opts.duration * 1000;
    let lastPrinted = 0;
    for (;;) {
      const tick = await Promise.race([stopSignal.then(() => 'stop' as const), new Promise<'tick'>((r) => setTimeout(() => r('tick'), 1000))]);
      const now = Date.now();
      if (scoringSince === null && scorer.ready()) scoringSince = now;
      if (scorer.ready()) {
        for (const m of await liveModels(registry)) {
          const name = typeof m.labels.type === 'string' ? m.labels.type : typeOfModelKey(typeNamesRun, String(m.labels.model));
          if (name !== undefined && !typeScoringSince.has(name)) typeScoringSince.set(name, now);
        }
      }
      const totals = await metricTotals(registry);
      const readings = totals.get('sensorwatch_readings_ingested_total') ?? 0;
      const scored = totals.get('sensorwatch_windows_scored_total') ?? 0;
      const windows = totals.get('sensorwatch_windows_published_total') ?? 0;
      const rate = rates.add({ t: now, readings, scored, windows });
      const opened = watch.alerts.filter((a) => a.state === 'open');
      const perType = detectionByType(opened, watch.labels, {
        types: types.map((t) => ({ name: t.name, slackMs: t.config.windowing.length * t.config.windowing.samplePeriodMs, scoringSince: typeScoringSince.get(t.name) ?? Infinity })),
        typeOf: (id) => typeOf(config, id),
        now,
      });
      const waiting = types.filter((t) => !typeScoringSince.has(t.name)).map((t) => t.name);
      const phase = warmupPhase({ now, scoring: scoringSince !== null, windows, minWindows, windowsPerSecond: rate.windowsPublishedPerSecond, ...trainer.progress() });
      const snapshot = {
        elapsedSeconds: (now - t0) / 1000,
        durationSeconds: opts.duration,
        readingsPerSecond: rate.readingsPerSecond,
        windowsPerSecond: rate.windowsPerSecond,
        readings,
        windowsScored: scored,
        deadLettered: totals.get('sensorwatch_records_dead_lettered_total') ?? 0,
        model: await modelLabel(registry),
        phase: scoringSince !== null && waiting.length > 0 && types.length > 1 ? `${phase}; no model yet for ${waiting.join(', ')}` : phase,
        recentAlerts: watch.alerts.slice(-8),
        // One type: as before; several: the sum of the types' counts, each type's lines under it.
        detection: types.length === 1 ? matchAlerts(opened, watch.labels, { scoringSince: scoringSince ?? Infinity, now, slackMs: config.windowing.length * config.windowing.samplePeriodMs }) : sumDetections(perType.map((p) => p.detection)),
        byType: types.length === 1 ? [] : typeLines(perType.map((p, i) => ({ ...p, channels: types[i]?.channels ?? 0, rateHz: types[i]?.rateHz ?? 0, sensors: types[i]?.sensors ?? 0, scoring: typeScoringSince.has(p.name) }))),
        // Over the whole fleet: every type's sensors, the longest window as the slack.
        recovery:
          scoringSince === null
            ? null
            : recoveryFigures(watch.alerts, watch.labels, {
                sensors: types.reduce((n, t) => n + t.sensors, 0),
                scoringSince,
                now,
                slackMs: Math.max(...types.map((t) => t.config.windowing.length * t.config.windowing.samplePeriodMs)),
              }),
        metricsUrl,
        // As the README shows it: relative to where the demo runs (the checkout).
        logFile: relative(process.cwd(), logFile) || logFile,
      };
      const final = tick === 'stop' || (deadline !== null && now >= deadline);
      if (tty) out(`\x1b[2J\x1b[H${renderSummary(snapshot)}`);
      else if (final || now - lastPrinted >= 10_000) {
        out(`\n${renderSummary(snapshot)}`);
        lastPrinted = now;
      }
      if (final) {
        // Which anomalies each type missed and which alerts were false: in the log, for whoever tunes the demo.
        for (const t of types) {
          const since = typeScoringSince.get(t.name) ?? Infinity;
          const m = misses(
            opened.filter((a) => typeOf(config, a.sensorId) === t.name),
            watch.labels.filter((l) => typeOf(config, l.sensorId) === t.name),
            { scoringSince: since, now, slackMs: t.config.windowing.length * t.config.windowing.samplePeriodMs },
          );
          const at = (ms: number): number => Math.round((ms - t0) / 100) / 10;
          log.info('demo: detection by type at the end', {
            type: t.name,
            modelAtS: Number.isFinite(since) ? at(since) : null,
            missed: m.missed.map((l) => ({ sensorId: l.sensorId, kind: l.kind, channels: l.channels, fromS: at(l.start), toS: at(l.end) })),
            falseAlerts: m.falseAlerts.map((a) => ({ sensorId: a.sensorId, kind: a.kind, fromS: at(a.windowStart), toS: at(a.windowEnd) })),
          });
        }
        break;
      }
    }
  } catch (err) {
    log.error('demo: start-up failed', { error: err, stack: (err as Error).stack });
    failure ??= err;
  }

  out(signals > 0 ? 'stopping … (a second Ctrl-C skips the clean stop)\n' : 'stopping …\n');
  const skipped = await stopInOrder(started.reverse(), { budgetMs: serviceStopBudgetMs, skip: skipSignal, log });
  if (skipped.length > 0) out(`not stopped cleanly (${signals > 1 ? 'second signal' : `over ${serviceStopBudgetMs / 1000} s`}): ${skipped.join(', ')}\n`);
  // The broker goes last: a service still stopping needs it to commit and flush.
  if (localBroker !== null) {
    try {
      await localBroker.stop({ graceMs: signals > 1 ? 0 : brokerStopGraceMs });
    } catch (err) {
      log.warn('demo: stopping the kafka broker failed', { error: err });
    }
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // A service that did not stop in time may still hold timers or sockets: they
  // must not keep the process alive after the demo is done.
  if (skipped.length > 0) setTimeout(() => process.exit(failure === null ? 0 : 1), 1000).unref();
  if (failure !== null) {
    process.stderr.write(`demo failed: ${failure instanceof Error ? failure.message : String(failure)}\n(see ${join('.data', 'demo.log')})\n`);
    return 1;
  }
  out('stopped cleanly\n');
  return 0;
}
