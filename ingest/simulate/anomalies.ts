// Injected anomalies: when they happen, which channels, and what they do to a
// channel's value. The labels (InjectedAnomaly) are the ground truth for eval.
import type { Rng } from '../../common/rng.ts';
import type { InjectedAnomaly } from '../../common/types.ts';
import type { SensorModel } from './signal.ts';

export type AnomalyKind = InjectedAnomaly['kind'];
export const anomalyKinds: readonly AnomalyKind[] = ['spike', 'level_shift', 'drift', 'flatline', 'noise_burst', 'frequency_change'];

/** An anomaly in progress, in sample indices of its sensor. */
export interface ActiveAnomaly {
  kind: AnomalyKind;
  startIndex: number;
  /** Inclusive. */
  endIndex: number;
  channels: number[];
  /** Signed magnitude in units of the channel's scale. */
  magnitude: number;
  /** flatline: the values held, per channel index. */
  held: Map<number, number>;
}

/** Samples an anomaly's duration (samples), channels and magnitude. */
export function planAnomaly(rng: Rng, kind: AnomalyKind, startIndex: number, rateHz: number, channels: number): ActiveAnomaly {
  const seconds = kind === 'spike' ? (1 + rng.int(3)) / rateHz : 3 + rng.next() * 9;
  const length = Math.max(1, Math.round(seconds * rateHz));
  const count = 1 + rng.int(Math.max(1, Math.ceil(channels / 2)));
  const picked = new Set<number>();
  while (picked.size < count) picked.add(rng.int(channels));
  const sign = rng.next() < 0.5 ? -1 : 1;
  const magnitude = sign * (kind === 'spike' ? 6 + rng.next() * 4 : kind === 'noise_burst' ? 4 + rng.next() * 4 : 2.5 + rng.next() * 2);
  return { kind, startIndex, endIndex: startIndex + length - 1, channels: [...picked].sort((a, b) => a - b), magnitude, held: new Map() };
}

/** Frequency multiplier for channel c at sample i (frequency_change triples it). */
export function freqScaleAt(a: ActiveAnomaly | null, c: number, i: number): number {
  return a !== null && a.kind === 'frequency_change' && i >= a.startIndex && a.channels.includes(c) ? 3 : 1;
}

/** The value of channel c at sample i once the anomaly (if it covers them) is applied. */
export function applyAnomaly(a: ActiveAnomaly | null, m: SensorModel, c: number, i: number, value: number, noise: number): number {
  if (a === null || i < a.startIndex || !a.channels.includes(c)) return value;
  const scale = m.scale[c] as number;
  switch (a.kind) {
    case 'spike':
      return value + a.magnitude * scale;
    case 'level_shift':
      return value + a.magnitude * scale;
    case 'drift': {
      const progress = (i - a.startIndex + 1) / (a.endIndex - a.startIndex + 1);
      return value + a.magnitude * scale * progress;
    }
    case 'flatline': {
      const held = a.held.get(c);
      if (held !== undefined) return held;
      a.held.set(c, value);
      return value;
    }
    case 'noise_burst':
      return value + Math.abs(a.magnitude) * scale * noise;
    case 'frequency_change':
      return value; // applied through freqScaleAt
  }
}
