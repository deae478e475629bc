// Deterministic signal windows for model tests and the benchmark: smooth,
// correlated sinusoids per channel (one phase per sensor) plus seeded noise,
// cut into windows. Not product code: the product's own simulator is
// ingest/simulate/.
import { createRng } from '../common/rng.ts';
import type { SignalWindow } from '../common/types.ts';

export interface SyntheticOptions {
  sensors?: number;
  windowsPerSensor?: number;
  length?: number;
  channels?: number;
  noise?: number;
  seed?: number;
  /** Hop between window starts, in samples (default: the window length). */
  hop?: number;
}

/** `sensors` × `windowsPerSensor` windows, sensor by sensor, deterministic for a given seed. */
export function syntheticWindows(options: SyntheticOptions = {}): SignalWindow[] {
  const { sensors = 2, windowsPerSensor = 100, length = 16, channels = 4, noise = 0.05, seed = 1 } = options;
  const hop = options.hop ?? length;
  const rng = createRng(seed);
  const names = Array.from({ length: channels }, (_, c) => `ch${c}`);
  const out: SignalWindow[] = [];
  for (let s = 0; s < sensors; s++) {
    const phase = rng.next() * 2 * Math.PI;
    for (let w = 0; w < windowsPerSensor; w++) {
      const samples: number[] = [];
      for (let t = 0; t < length; t++) {
        const time = w * hop + t;
        const base = Math.sin((2 * Math.PI * time) / 24 + phase);
        for (let c = 0; c < channels; c++) {
          samples.push(10 * c + (1 + c) * base + 0.5 * Math.cos((2 * Math.PI * time) / (7 + c)) + noise * rng.normal());
        }
      }
      out.push({
        sensorId: `s${s}`,
        seq: w,
        start: 1_700_000_000_000 + w * hop * 100,
        end: 1_700_000_000_000 + (w * hop + length - 1) * 100,
        channels: names,
        samples,
        missing: 0,
        badQuality: 0,
      });
    }
  }
  return out;
}
