// Injected anomalies: when they happen, which channels, and what they do to a
// channel's value. The labels (InjectedAnomaly) are the ground truth for eval.
//
// Recovery: a `level_shift` or `drift` may be followed (with probability
// `recoveryShare`) by a settling time (2 to 4 s) in which the channels glide from
// the anomaly's level to a slightly different operating point (0.15 to 0.3 of
// their spread, either sign: as after a repair or a set-point change), where they
// stay for good (settleAnomaly). The label covers the settling time too: after
// it the sensor is normal again, at its new operating point.
import type { Rng } from '../../common/rng.ts';
import type { InjectedAnomaly } from '../../common/types.ts';
import type { SensorModel } from './signal.ts';

export type AnomalyKind = InjectedAnomaly['kind'];
export const anomalyKinds: readonly AnomalyKind[] = ['spike', 'level_shift', 'drift', 'flatline', 'noise_burst', 'frequency_change'];

/** An anomaly in progress, in sample indices of its sensor. */
export interface ActiveAnomaly {
  kind: AnomalyKind;
  startIndex: number;
  /** Inclusive: the label's end, the settling time included. */
  endIndex: number;
  /** Inclusive: the last sample of the anomaly's own effect (endIndex without a recovery). */
  effectEndIndex: number;
  /** The new operating point of each of `channels` after a recovery, in units of the channel's scale; null: none (the sensor returns to where it was). */
  recovery: number[] | null;
  channels: number[];
  /** Signed magnitude in units of the channel's scale. */
  magnitude: number;
  /** flatline: the values held, per channel index. */
  held: Map<number, number>;
}

/** Kinds a recovery may follow: the ones that move the level. */
export const recoveringKinds: readonly AnomalyKind[] = ['level_shift', 'drift'];

/** Samples an anomaly's duration (samples), channels, magnitude and recovery (with probability recoveryShare, for recoveringKinds). */
export function planAnomaly(rng: Rng, kind: AnomalyKind, startIndex: number, rateHz: number, channels: number, recoveryShare = 0): ActiveAnomaly {
  const seconds = kind === 'spike' ? (1 + rng.int(3)) / rateHz : 3 + rng.next() * 9;
  const length = Math.max(1, Math.round(seconds * rateHz));
  const count = 1 + rng.int(Math.max(1, Math.ceil(channels / 2)));
  const picked = new Set<number>();
  while (picked.size < count) picked.add(rng.int(channels));
  const sign = rng.next() < 0.5 ? -1 : 1;
  const magnitude = sign * (kind === 'spike' ? 6 + rng.next() * 4 : kind === 'noise_burst' ? 4 + rng.next() * 4 : 2.5 + rng.next() * 2);
  const sorted = [...picked].sort((a, b) => a - b);
  const effectEndIndex = startIndex + length - 1;
  // Drawn whatever the share, so the share changes nothing else of the stream.
  const recovers = rng.next() < recoveryShare && recoveringKinds.includes(kind);
  const settleSamples = Math.max(1, Math.round((2 + 2 * rng.next()) * rateHz));
  const shifts = sorted.map(() => (rng.next() < 0.5 ? -1 : 1) * (0.15 + 0.15 * rng.next()));
  return {
    kind,
    startIndex,
    endIndex: recovers ? effectEndIndex + settleSamples : effectEndIndex,
    effectEndIndex,
    recovery: recovers ? shifts : null,
    channels: sorted,
    magnitude,
    held: new Map(),
  };
}

/** The anomaly is over: a recovery leaves its channels at their new operating point for good. */
export function settleAnomaly(a: ActiveAnomaly, m: SensorModel): void {
  if (a.recovery === null) return;
  a.channels.forEach((c, k) => {
    m.shifts[c] = (m.shifts[c] ?? 0) + (a.recovery?.[k] ?? 0) * (m.scale[c] as number);
  });
}

/** Frequency multiplier for channel c at sample i (frequency_change triples it). */
export function freqScaleAt(a: ActiveAnomaly | null, c: number, i: number): number {
  return a !== null && a.kind === 'frequency_change' && i >= a.startIndex && a.channels.includes(c) ? 3 : 1;
}

/** The value of channel c at sample i once the anomaly (if it covers them) is applied. */
export function applyAnomaly(a: ActiveAnomaly | null, m: SensorModel, c: number, i: number, value: number, noise: number): number {
  if (a === null || i < a.startIndex || !a.channels.includes(c)) return value;
  const scale = m.scale[c] as number;
  if (i > a.effectEndIndex && a.recovery !== null) {
    // Settling: from the anomaly's level (its full magnitude, for both recovering kinds) to the new operating point.
    const p = (i - a.effectEndIndex) / (a.endIndex - a.effectEndIndex);
    return value + scale * ((1 - p) * a.magnitude + p * (a.recovery[a.channels.indexOf(c)] ?? 0));
  }
  switch (a.kind) {
    case 'spike':
      return value + a.magnitude * scale;
    case 'level_shift':
      return value + a.magnitude * scale;
    case 'drift': {
      const progress = (i - a.startIndex + 1) / (a.effectEndIndex - a.startIndex + 1);
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
