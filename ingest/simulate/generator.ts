// The simulated fleet: N sensors x C channels sampled at rateHz in event time
// (advanced here, never read from the wall clock), with injected anomalies and
// their labels. Pure and seeded: the same options give the same stream, so the
// trainer (--synthetic), eval, bench and the demo can use it without Kafka.
import { createRng, type Rng } from '../../common/rng.ts';
import type { InjectedAnomaly, SensorReading } from '../../common/types.ts';
import { anomalyKinds, applyAnomaly, freqScaleAt, planAnomaly, settleAnomaly, type ActiveAnomaly, type AnomalyKind } from './anomalies.ts';
import { cleanValue, newSensorModel, type SensorModel } from './signal.ts';
import { SensorwatchError } from '../../common/errors.ts';

export interface SimulatorOptions {
  sensors: number;
  /** Channel names (windowing.channels); values come in this order. */
  channels: readonly string[];
  /** Samples per second per sensor. */
  rateHz: number;
  /** Event time of the first sample, ms since the epoch. */
  startTime: number;
  seed: number;
  /** Mean seconds between anomalies per sensor; 0 or less: none. */
  anomalyEverySeconds: number;
  /** Kinds to inject (default: all six). */
  kinds?: readonly AnomalyKind[];
  /** No anomaly starts in the first quietSeconds (clean data to train on). */
  quietSeconds?: number;
  /** Sensor id prefix (default 'sensor-'). */
  idPrefix?: string;
  /** Share of level shifts and drifts after which the sensor settles at a slightly different operating point (anomalies.ts; default 0.5, 0: never). */
  recoveryShare?: number;
  /** The sensors' ids, in order (instead of idPrefix and a number); their count must be `sensors`. */
  ids?: readonly string[];
}

export interface SimulatorTick {
  /** Event time of this tick's readings, ms since the epoch. */
  time: number;
  /** One reading per sensor, in sensor order. */
  readings: SensorReading[];
  /** Anomalies that start at this tick (their end is known up front). */
  labels: InjectedAnomaly[];
}

export interface Simulator {
  readonly sensorIds: readonly string[];
  readonly periodMs: number;
  /** Event time of the next tick(), ms since the epoch. */
  nextTime(): number;
  /** Typical spread (standard deviation over a long run) of each channel of sensor `index`; anomalies are sized in it. */
  channelScale(index: number): readonly number[];
  tick(): SimulatorTick;
}

interface SimSensor {
  id: string;
  /** Separate streams for noise and for anomaly events: the same seed gives the same
   * normal signal with or without anomalies, so the anomalies' effect can be isolated. */
  noise: Rng;
  events: Rng;
  model: SensorModel;
  /** Sample index at which the next anomaly starts. */
  nextAnomaly: number;
  active: ActiveAnomaly | null;
}

export function checkSimulatorOptions(o: SimulatorOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.sensors) || o.sensors < 1) problems.push(`sensors must be a positive integer, got ${o.sensors}`);
  if (o.channels.length === 0) problems.push('channels must name at least one channel');
  if (!(o.rateHz > 0 && o.rateHz <= 1000)) problems.push(`rateHz must be in (0, 1000], got ${o.rateHz}`);
  if (!Number.isSafeInteger(o.startTime) || o.startTime < 0) problems.push(`startTime must be ms since the epoch, got ${o.startTime}`);
  if (o.recoveryShare !== undefined && !(o.recoveryShare >= 0 && o.recoveryShare <= 1)) problems.push(`recoveryShare must be in [0, 1], got ${o.recoveryShare}`);
  if (o.ids !== undefined && o.ids.length !== o.sensors) problems.push(`ids must name ${o.sensors} sensors, got ${o.ids.length}`);
  if (o.ids !== undefined && new Set(o.ids).size !== o.ids.length) problems.push(`ids must be distinct, got ${o.ids.join(', ')}`);
  if (o.kinds !== undefined && o.kinds.length === 0) problems.push('kinds must not be empty (set anomalyEverySeconds to 0 for no anomalies)');
  if (problems.length > 0) throw new SensorwatchError(`invalid simulator options: ${problems.join('; ')}`, { code: 'config_invalid' });
}

export function createSimulator(options: SimulatorOptions): Simulator {
  checkSimulatorOptions(options);
  const { rateHz, startTime, anomalyEverySeconds } = options;
  const channels = options.channels.length;
  const kinds = options.kinds ?? anomalyKinds;
  const quietSamples = Math.round((options.quietSeconds ?? 0) * rateHz);
  const prefix = options.idPrefix ?? 'sensor-';
  const width = Math.max(3, String(options.sensors - 1).length);

  const scheduleAfter = (rng: Rng, index: number): number => {
    if (!(anomalyEverySeconds > 0)) return Number.POSITIVE_INFINITY;
    // exponential gaps: a Poisson process of anomalies per sensor
    const gap = -Math.log(1 - rng.next()) * anomalyEverySeconds * rateHz;
    return Math.max(index + 1, quietSamples, index + Math.round(gap));
  };

  const sensors: SimSensor[] = Array.from({ length: options.sensors }, (_, s) => {
    // one stream per sensor: adding sensors does not change the others
    const seed = (options.seed * 7919 + s * 104729) >>> 0;
    const model = newSensorModel(createRng(seed), channels, rateHz);
    const events = createRng(seed ^ 0x5bd1e995);
    const noise = createRng(seed ^ 0x27d4eb2f);
    return { id: options.ids?.[s] ?? `${prefix}${String(s).padStart(width, '0')}`, noise, events, model, nextAnomaly: 0, active: null };
  });
  for (const s of sensors) s.nextAnomaly = scheduleAfter(s.events, quietSamples - 1);

  let index = 0;
  const timeOf = (i: number): number => startTime + Math.round((i * 1000) / rateHz);

  return {
    sensorIds: sensors.map((s) => s.id),
    periodMs: 1000 / rateHz,
    nextTime: () => timeOf(index),
    channelScale: (s) => [...(sensors[s]?.model.scale ?? [])],
    tick() {
      const i = index++;
      const time = timeOf(i);
      const t = i / rateHz;
      const readings: SensorReading[] = [];
      const labels: InjectedAnomaly[] = [];
      for (const s of sensors) {
        if (s.active !== null && i > s.active.endIndex) {
          settleAnomaly(s.active, s.model);
          s.active = null;
          s.nextAnomaly = scheduleAfter(s.events, i);
        }
        if (s.active === null && i >= s.nextAnomaly) {
          const kind = kinds[s.events.int(kinds.length)] as AnomalyKind;
          s.active = planAnomaly(s.events, kind, i, rateHz, channels, options.recoveryShare ?? 0.5);
          labels.push({ sensorId: s.id, kind, start: time, end: timeOf(s.active.endIndex), channels: s.active.channels });
        }
        const values = new Array<number>(channels);
        for (let c = 0; c < channels; c++) {
          const noise = s.noise.normal();
          const burst = s.noise.normal();
          const clean = cleanValue(s.model, c, t, freqScaleAt(s.active, c, i));
          values[c] = applyAnomaly(s.active, s.model, c, i, clean + (s.model.noise[c] as number) * noise, burst);
        }
        readings.push({ sensorId: s.id, timestamp: time, values, quality: null });
      }
      return { time, readings, labels };
    },
  };
}

/** A finite stream: every reading (time-major) and label of `durationSeconds`. */
export function simulate(options: SimulatorOptions, durationSeconds: number): { readings: SensorReading[]; labels: InjectedAnomaly[] } {
  const sim = createSimulator(options);
  const ticks = Math.round(durationSeconds * options.rateHz);
  const readings: SensorReading[] = [];
  const labels: InjectedAnomaly[] = [];
  for (let k = 0; k < ticks; k++) {
    const tick = sim.tick();
    for (const r of tick.readings) readings.push(r);
    for (const l of tick.labels) labels.push(l);
  }
  return { readings, labels };
}
