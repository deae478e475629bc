// The demo's fleet: three sensor types on one readings topic, pumps (8 channels
// at 20 Hz), valves (3 at 5 Hz) and tanks (1 at 2 Hz). `npm start` runs it
// unless a config file (--config, SENSORWATCH_CONFIG) is given: then the
// file's sensorTypes (or its one implicit type) run. Each type has a window
// length and trainer.minWindows that give it a model within the first minute,
// and its sample-counted settings (the likelihood's average, warm-up and
// learning, the hold-off, the flatline fault) scaled to the same seconds as at
// 20 Hz. Pure.
import { typeConfig } from '../../common/config/sensor-types.ts';
import { fleetFromConfig } from '../../ingest/simulate/fleet.ts';
import type { Config } from '../../common/config/types.ts';

/** Sample-counted settings that last as long at `rateHz` as the defaults do at 20 Hz. */
function perSecond(rateHz: number): { thresholds: object; scorer: object } {
  const at = (samples20: number, min: number): number => Math.max(min, Math.round((samples20 * rateHz) / 20));
  return {
    thresholds: { likelihood: { averageSamples: at(10, 2), warmupSamples: at(100, 10), learnAfterQuietSamples: at(100, 10) } },
    scorer: { hysteresis: { holdOffSamples: at(200, 10) }, faults: { flatlineSamples: at(32, 4) } },
  };
}

/** The `sensorTypes` the demo runs, as a config file would give them. */
export const demoSensorTypes = [
  {
    name: 'pump',
    sensors: ['pump-*'],
    windowing: {
      channels: ['vib_x', 'vib_y', 'vib_z', 'bearing_temp', 'motor_current', 'suction_pressure', 'discharge_pressure', 'flow'],
      units: { vib_x: 'mm/s', vib_y: 'mm/s', vib_z: 'mm/s', bearing_temp: 'degC', motor_current: 'A', suction_pressure: 'bar', discharge_pressure: 'bar', flow: 'm3/h' },
      samplePeriodMs: 50,
      // 1.6 s windows: a tripled frequency on a few channels (frequency_change) stands out of a
      // short window far more than out of a 3.2 s one (the demo's offline path: pump-5's at 75 s
      // peaks at score 0.99 against 0.54 with length 64; docs/results.md). Every 0.4 s (hop 8),
      // with 400 first windows (27 s, as 200 at hop 16): over 20 simulator seeds offline,
      // precision / recall 97 % / 94 % against 93 % / 91 % at hop 16 (docs/results.md, stop 27).
      length: 32,
      hop: 8,
    },
    trainer: { minWindows: 400 },
  },
  {
    name: 'valve',
    sensors: ['valve-*'],
    // 3.2 s windows: the frequency changes show more (valve-1's at 115 s peaks at 0.55 to 0.64
    // against 0.36 to 0.39 with 32-sample windows at hop 8; offline demo path). Every 0.4 s
    // (hop 2), 560 of them (37 s) for the first model: with 37 s of data its training range
    // covers the slow operating-point swing (with 27 s the first windows after it opened false
    // `new extreme` alerts), and over 20 simulator seeds offline precision / recall is
    // 95 % / 92 % against 96 % / 89 % at hop 4 with 280 (docs/results.md, stop 27).
    // Its first model trains up to 300 epochs with patience 30 (the defaults: 100 and 10): on
    // 560 small windows it keeps improving after the defaults stop it, and a closer fit tells
    // the valves' own operating points apart (a drift inside the fleet's range shows). Over 20
    // simulator seeds 95.6 % / 94.0 % against 94.9 % / 92.3 %, and recall up with training
    // seeds 1 and 2 too (docs/results.md, stop 28).
    windowing: { channels: ['position', 'diff_pressure', 'command'], units: { position: '%', diff_pressure: 'bar', command: '%' }, samplePeriodMs: 200, length: 16, hop: 2 },
    model: { hidden: [64], codeSize: 16, training: { epochs: 300, patience: 30 } },
    trainer: { minWindows: 560 },
    ...perSecond(5),
  },
  {
    name: 'tank',
    sensors: ['tank-*'],
    // 24 s windows: a tank's level moves slowly, and a tripled frequency shows in a window that
    // holds more of its cycle (over 20 simulator seeds offline, 48 samples: precision / recall
    // 94 % / 89 % against 92 % / 84 % with 32); 57 first windows (19 s) keep its first model
    // within the first minute (docs/results.md, stop 27).
    windowing: { channels: ['level'], units: { level: 'm' }, samplePeriodMs: 500, length: 48, hop: 4 },
    model: { hidden: [32], codeSize: 8 },
    trainer: { minWindows: 57 },
    ...perSecond(2),
  },
];

/** The overrides that make a config the demo's fleet. */
export const demoFleetOverrides = { sensorTypes: demoSensorTypes };

export interface DemoType {
  name: string;
  /** The type's merged config (typeConfig). */
  config: Config;
  sensors: number;
  channels: number;
  rateHz: number;
}

/** Seconds until `minWindows` windows of the type exist at its rate (first window, lateness, then the windows), training not included. */
export function typeWarmupSeconds(t: DemoType): number {
  const w = t.config.windowing;
  const windowsPerSecond = (t.sensors * t.rateHz) / w.hop;
  const firstWindow = (w.length * w.samplePeriodMs + w.allowedLatenessMs) / 1000;
  return Math.ceil(firstWindow + t.config.trainer.minWindows / windowsPerSecond);
}

/** The types a config runs (one, `default`, without sensorTypes): the simulator's fleet with each type's merged config. */
export function demoTypes(config: Config): DemoType[] {
  return fleetFromConfig(config).map((t) => {
    const tc = typeConfig(config, t.name);
    return { name: t.name, config: tc, sensors: t.ids?.length ?? t.sensors, channels: t.channels.length, rateHz: t.rateHz };
  });
}

/** The sensor type a model key belongs to: the key itself, or `<type>.<group>`; with the implicit type every key. */
export function typeOfModelKey(types: readonly string[], key: string): string | undefined {
  if (types.length === 1 && types[0] === 'default') return 'default';
  return types.find((t) => key === t || key.startsWith(`${t}.`));
}
