// A mixed fleet: one simulator per sensor type (its own sensor ids, channels
// and sample rate), merged into one stream in event-time order. Pure and
// seeded like the single simulator. With `sensorTypes: []` the fleet is the one
// implicit type `default`, simulated exactly as before (same ids, same values).
import type { Config } from '../../common/config/types.ts';
import { typeConfig, typeNames, typeOf } from '../../common/config/sensor-types.ts';
import { SensorwatchError } from '../../common/errors.ts';
import type { InjectedAnomaly, SensorReading } from '../../common/types.ts';
import type { AnomalyKind } from './anomalies.ts';
import { createSimulator, type Simulator, type SimulatorTick } from './generator.ts';

export interface FleetType {
  /** The sensor type (config.sensorTypes[].name, or `default`). */
  name: string;
  /** Its sensors' ids; undefined: `sensors` ids `sensor-000` … (the implicit type). */
  ids?: readonly string[];
  sensors: number;
  channels: readonly string[];
  rateHz: number;
}

export interface FleetOptions {
  types: readonly FleetType[];
  startTime: number;
  seed: number;
  anomalyEverySeconds: number;
  kinds?: readonly AnomalyKind[];
  quietSeconds?: number;
  /** Each type stops after round(durationSeconds x its rate) ticks; then nextTime() is Infinity. Default: never. */
  durationSeconds?: number;
}

export interface Fleet {
  readonly types: readonly FleetType[];
  readonly sensorIds: readonly string[];
  /** Event time of the next tick(), ms; Infinity once every type has produced its duration. */
  nextTime(): number;
  /** The readings (and anomaly starts) of every type due at nextTime(). */
  tick(): SimulatorTick;
}

/** A type's seed: the implicit type keeps the seed itself (today's stream); others mix in their name. */
function typeSeed(seed: number, name: string, only: boolean): number {
  if (only && name === 'default') return seed;
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return (seed ^ h) >>> 0;
}

export function createFleet(options: FleetOptions): Fleet {
  if (options.types.length === 0) throw new SensorwatchError('invalid simulator options: the fleet needs at least one sensor type', { code: 'config_invalid' });
  const only = options.types.length === 1;
  const sims: Simulator[] = options.types.map((t) =>
    createSimulator({
      sensors: t.sensors,
      ...(t.ids === undefined ? {} : { ids: t.ids }),
      channels: t.channels,
      rateHz: t.rateHz,
      startTime: options.startTime,
      seed: typeSeed(options.seed, t.name, only),
      anomalyEverySeconds: options.anomalyEverySeconds,
      ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
      ...(options.quietSeconds === undefined ? {} : { quietSeconds: options.quietSeconds }),
    }),
  );
  const ids = sims.flatMap((s) => s.sensorIds);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) throw new SensorwatchError(`invalid simulator options: sensor ${dup} is simulated by two types`, { code: 'config_invalid' });
  const limits = options.types.map((t) => (options.durationSeconds === undefined ? Number.POSITIVE_INFINITY : Math.round(options.durationSeconds * t.rateHz)));
  const done = sims.map(() => 0);
  const timeOf = (k: number): number => ((done[k] as number) < (limits[k] as number) ? (sims[k] as Simulator).nextTime() : Number.POSITIVE_INFINITY);
  const nextTime = (): number => Math.min(...sims.map((_, k) => timeOf(k)));
  return {
    types: options.types,
    sensorIds: ids,
    nextTime,
    tick() {
      const time = nextTime();
      const readings: SensorReading[] = [];
      const labels: InjectedAnomaly[] = [];
      if (time === Number.POSITIVE_INFINITY) throw new SensorwatchError('simulator: the fleet has produced its duration', { code: 'internal' });
      for (const [k, s] of sims.entries()) {
        if (timeOf(k) !== time) continue;
        done[k] = (done[k] as number) + 1;
        const t = s.tick();
        readings.push(...t.readings);
        labels.push(...t.labels);
      }
      return { time, readings, labels };
    },
  };
}

/** A finite stream: every reading and label of `durationSeconds` (each type's round(duration x rate) ticks), in event-time order. */
export function simulateFleet(options: FleetOptions, durationSeconds: number): { readings: SensorReading[]; labels: InjectedAnomaly[] } {
  const fleet = createFleet({ ...options, durationSeconds });
  const readings: SensorReading[] = [];
  const labels: InjectedAnomaly[] = [];
  while (fleet.nextTime() < Number.POSITIVE_INFINITY) {
    const t = fleet.tick();
    readings.push(...t.readings);
    labels.push(...t.labels);
  }
  return { readings, labels };
}

/**
 * Sensor ids for a type from its `sensors` patterns: its exact ids first, then
 * ids made from its first glob (each `*` becomes 1, 2, …; a run of `?` the number
 * padded to that many digits), up to `count`, keeping only ids that `owns` (first
 * match in file order) gives to this type.
 */
export function idsFromPatterns(patterns: readonly string[], count: number, owns: (id: string) => boolean): string[] {
  const ids: string[] = [];
  for (const p of patterns) if (!/[*?]/.test(p) && owns(p) && ids.length < count) ids.push(p);
  const glob = patterns.find((p) => /[*?]/.test(p));
  if (glob === undefined) return ids;
  for (let n = 1, tries = 0; ids.length < count && tries < count * 100 + 1000; n++, tries++) {
    let fits = true;
    const id = glob.replace(/\*/g, String(n)).replace(/\?+/g, (run) => {
      const digits = String(n).padStart(run.length, '0');
      if (digits.length > run.length) fits = false;
      return digits;
    });
    if (!fits) break;
    if (owns(id) && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * The fleet a config describes. Without sensorTypes: one implicit type of
 * `sensors` sensors at `rateHz` (default simulator.rateHz) with windowing.channels.
 * With sensorTypes: each type `sensors` sensors (ids from its patterns) at the
 * rate of its windowing.samplePeriodMs, with its channels; `rateHz` is refused.
 */
export function fleetFromConfig(config: Config, opts: { sensors?: number; rateHz?: number } = {}): FleetType[] {
  const sensors = opts.sensors ?? config.simulator.sensors;
  const list = config.sensorTypes;
  if (list.length === 0) return [{ name: 'default', sensors, channels: config.windowing.channels, rateHz: opts.rateHz ?? config.simulator.rateHz }];
  if (opts.rateHz !== undefined) {
    throw new SensorwatchError('simulate: --rate sets the rate of the single implicit sensor type; with sensorTypes each type samples at its windowing.samplePeriodMs', { code: 'usage' });
  }
  return typeNames(config).map((name) => {
    const tc = typeConfig(config, name);
    const patterns = list.find((t) => t.name === name)?.sensors ?? [];
    const ids = idsFromPatterns(patterns, sensors, (id) => typeOf(config, id) === name);
    if (ids.length === 0) {
      throw new SensorwatchError(`simulate: sensorTypes ${name}: no sensor id to simulate (its sensors list has no exact id and no pattern that gives one: ${patterns.join(', ')})`, { code: 'config_invalid' });
    }
    return { name, ids, sensors: ids.length, channels: tc.windowing.channels, rateHz: 1000 / tc.windowing.samplePeriodMs };
  });
}
