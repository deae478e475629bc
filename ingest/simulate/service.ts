// The simulator at the edge: the pure fleet (fleet.ts: one generator per sensor
// type, or the one implicit type) paced by the wall clock,
// readings produced to topics.readings (key = sensor id) and labels to
// topics.labels (JSON) and, optionally, a JSON Lines file. Event time starts at
// the wall clock's now, so readings look live to ingest; with `fast`, it starts
// `durationSeconds` in the past and the readings are produced as fast as the
// broker takes them.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeReading, readingHeaders } from '../../common/codec/reading.ts';
import type { ReadingFormat } from '../../common/codec/headers.ts';
import { systemClock, type Clock } from '../../common/clock.ts';
import type { Config } from '../../common/config/types.ts';
import { ensureTopics } from '../../common/kafka/admin.ts';
import { createKafka } from '../../common/kafka/client.ts';
import { createIdempotentProducer } from '../../common/kafka/producer.ts';
import type { Logger } from '../../common/log.ts';
import type { InjectedAnomaly } from '../../common/types.ts';
import { createOrderedProducer } from '../../common/kafka/ordered-producer.ts';
import { typeConfig } from '../../common/config/sensor-types.ts';
import { createFleet, fleetFromConfig, type FleetOptions, type FleetType } from './fleet.ts';
import { SensorwatchError } from '../../common/errors.ts';

export interface SimulationContext {
  config: Config;
  log: Logger;
  brokers: string[];
  format: ReadingFormat;
  /** Default config.simulator.sensors (per sensor type) / rateHz (the implicit type only) / seed / anomalyEverySeconds. */
  sensors?: number;
  rateHz?: number;
  seed?: number;
  anomalyEverySeconds?: number;
  quietSeconds?: number;
  /** Stop after this many seconds of event time; default: run until stop(). */
  durationSeconds?: number;
  /** Produce without waiting for the wall clock (needs durationSeconds). */
  fast?: boolean;
  /** Labels are appended here as JSON Lines (one InjectedAnomaly per line); the file is truncated first. */
  labelsFile?: string;
  /** Wall clock; injected in tests. */
  clock?: Clock;
}

export interface SimulationStats {
  readings: number;
  labels: number;
  /** Event time of the first and the last tick produced, ms. */
  firstTime: number | null;
  lastTime: number | null;
}

export interface Simulation {
  sensorIds: readonly string[];
  /** The simulated types (name, sensors, channels, rate); one, `default`, without sensorTypes. */
  types: readonly FleetType[];
  /** Resolves when the duration is produced, or after stop(). */
  done: Promise<SimulationStats>;
  stop(): Promise<SimulationStats>;
}

export async function startSimulation(ctx: SimulationContext): Promise<Simulation> {
  const { config } = ctx;
  const log = ctx.log.child({ service: 'simulate' });
  const clock = ctx.clock ?? systemClock;
  if (ctx.fast && ctx.durationSeconds === undefined) throw new SensorwatchError('simulate: fast mode needs a duration (--duration S)', { code: 'usage' });
  const duration = ctx.durationSeconds;
  const types = fleetFromConfig(config, { ...(ctx.sensors === undefined ? {} : { sensors: ctx.sensors }), ...(ctx.rateHz === undefined ? {} : { rateHz: ctx.rateHz }) });
  const options: FleetOptions = {
    types,
    startTime: ctx.fast ? clock.now() - Math.round((duration ?? 0) * 1000) : clock.now(),
    seed: ctx.seed ?? config.simulator.seed,
    anomalyEverySeconds: ctx.anomalyEverySeconds ?? config.simulator.anomalyEverySeconds,
    ...(ctx.quietSeconds === undefined ? {} : { quietSeconds: ctx.quietSeconds }),
    ...(duration === undefined ? {} : { durationSeconds: duration }),
  };
  const sim = createFleet(options);
  for (const t of types) {
    const periodMs = 1000 / t.rateHz;
    const samplePeriodMs = typeConfig(config, t.name).windowing.samplePeriodMs;
    if (Math.abs(periodMs - samplePeriodMs) > periodMs / 2) {
      log.warn('simulator rate does not match windowing.samplePeriodMs: ingest will see gaps or squeezed samples', { sensorType: t.name, rateHz: t.rateHz, periodMs, samplePeriodMs });
    }
  }

  const kafka = createKafka(config.kafka, log, { brokers: ctx.brokers, clientSuffix: 'simulate' });
  const admin = kafka.admin();
  await admin.connect();
  const spec = (name: string): { name: string; partitions: number; replicationFactor: number } => ({ name, partitions: config.topics.partitions, replicationFactor: config.topics.replicationFactor });
  try {
    await ensureTopics(admin, [spec(config.topics.readings), spec(config.topics.labels)]);
  } finally {
    await admin.disconnect();
  }
  const kafkaProducer = createIdempotentProducer(kafka);
  await kafkaProducer.connect();
  const producer = createOrderedProducer(kafkaProducer);
  if (ctx.labelsFile !== undefined) {
    mkdirSync(dirname(ctx.labelsFile), { recursive: true });
    writeFileSync(ctx.labelsFile, '');
  }

  const stats: SimulationStats = { readings: 0, labels: 0, firstTime: null, lastTime: null };
  const headers = readingHeaders(ctx.format);
  const stopper = new AbortController();

  async function produce(): Promise<SimulationStats> {
    const wallStart = clock.now();
    const eventStart = options.startTime;
    while (sim.nextTime() < Number.POSITIVE_INFINITY && !stopper.signal.aborted) {
      // every tick due by now (event time since the start <= wall time since the start), at most one second's worth per send
      const due = ctx.fast ? Number.POSITIVE_INFINITY : eventStart + (clock.now() - wallStart);
      const first = sim.nextTime();
      if (first > due) {
        await sleep(Math.max(1, first - due), undefined, { signal: stopper.signal }).catch(() => undefined);
        continue;
      }
      const records = [];
      const labels: InjectedAnomaly[] = [];
      while (sim.nextTime() <= due && sim.nextTime() < first + 1000) {
        const tick = sim.tick();
        stats.firstTime ??= tick.time;
        stats.lastTime = tick.time;
        for (const r of tick.readings) records.push({ key: r.sensorId, value: encodeReading(r, ctx.format), headers });
        labels.push(...tick.labels);
      }
      await producer.send(config.topics.readings, records);
      stats.readings += records.length;
      if (labels.length > 0) {
        await producer.send(config.topics.labels, labels.map((l) => ({ key: l.sensorId, value: Buffer.from(JSON.stringify(l)), headers: { 'content-type': 'application/json' } })));
        if (ctx.labelsFile !== undefined) appendFileSync(ctx.labelsFile, labels.map((l) => `${JSON.stringify(l)}\n`).join(''));
        stats.labels += labels.length;
        log.debug('injected anomalies', { labels });
      }
    }
    return { ...stats };
  }

  const done = produce().finally(() => kafkaProducer.disconnect());
  log.info('simulating', { sensors: sim.sensorIds.length, types: types.map((t) => ({ name: t.name, sensors: t.ids?.length ?? t.sensors, channels: t.channels.length, rateHz: t.rateHz })), format: ctx.format, durationSeconds: duration ?? null, fast: ctx.fast ?? false, topic: config.topics.readings });
  return {
    sensorIds: sim.sensorIds,
    types,
    done,
    async stop() {
      stopper.abort();
      return done;
    },
  };
}
