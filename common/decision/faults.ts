// Sensor-fault rules on one window: pure. A fault means the data cannot be
// trusted (the sensor, not the process, is misbehaving), so decide.ts raises a
// `sensor_fault` alert instead of scoring the window as an anomaly.
//
// Rules, checked in this order (the first that fires is the verdict's code; the
// detail lists every rule that fired):
// - missing: (gap-filled samples + time steps with a non-finite value) / length > maxMissingFraction
// - bad_quality: samples whose reading carried quality 'bad' / length > maxMissingFraction
// - out_of_range: any finite value of a channel outside its configured [min, max]
// - flatline: a channel whose values stay within flatlineEpsilon of each other
//   for at least flatlineSamples consecutive samples (never when the window is shorter)
import type { FaultConfig } from '../config/types.ts';
import type { SignalWindow } from '../types.ts';

/** Window rules, then `silent` (no window for scorer.silentAfterMs: decided by silence.ts, not from a window). */
export const faultCodes = ['missing', 'bad_quality', 'out_of_range', 'flatline', 'silent'] as const;
export type FaultCode = (typeof faultCodes)[number];

export interface FaultVerdict {
  fault: FaultCode;
  /** Channels implicated (empty for whole-window faults such as missing samples). */
  channels: string[];
  detail: string;
}

type WindowSamples = Pick<SignalWindow, 'channels' | 'samples' | 'missing' | 'badQuality'>;

export function detectFault(window: WindowSamples, rules: FaultConfig): FaultVerdict | null {
  const width = window.channels.length;
  const length = width === 0 ? 0 : Math.floor(window.samples.length / width);
  if (length === 0) return { fault: 'missing', channels: [], detail: 'missing: window has no samples' };
  const found: { fault: FaultCode; channels: string[]; detail: string }[] = [];

  const nonFiniteSteps = countNonFiniteSteps(window.samples, width, length);
  const missingFraction = (window.missing + nonFiniteSteps) / length;
  if (missingFraction > rules.maxMissingFraction) {
    found.push({ fault: 'missing', channels: [], detail: `missing: ${window.missing} gap-filled and ${nonFiniteSteps} non-finite of ${length} samples (${fmt(missingFraction)} > ${rules.maxMissingFraction})` });
  }
  const badFraction = window.badQuality / length;
  if (badFraction > rules.maxMissingFraction) {
    found.push({ fault: 'bad_quality', channels: [], detail: `bad_quality: ${window.badQuality} of ${length} samples (${fmt(badFraction)} > ${rules.maxMissingFraction})` });
  }
  const outside = window.channels.filter((name, c) => {
    const range = rules.ranges[name];
    return range !== undefined && channelValues(window.samples, width, length, c).some((v) => Number.isFinite(v) && (v < range[0] || v > range[1]));
  });
  if (outside.length > 0) found.push({ fault: 'out_of_range', channels: outside, detail: `out_of_range: ${outside.join(', ')} outside the physical range` });

  const stuck = window.channels.filter((_, c) => longestFlatRun(channelValues(window.samples, width, length, c), rules.flatlineEpsilon) >= rules.flatlineSamples);
  if (rules.flatlineSamples > 0 && rules.flatlineSamples <= length && stuck.length > 0) {
    found.push({ fault: 'flatline', channels: stuck, detail: `flatline: ${stuck.join(', ')} stuck for >= ${rules.flatlineSamples} samples` });
  }
  const first = found[0];
  if (first === undefined) return null;
  return { fault: first.fault, channels: first.channels, detail: found.map((f) => f.detail).join('; ') };
}

function countNonFiniteSteps(samples: readonly number[], width: number, length: number): number {
  let count = 0;
  for (let t = 0; t < length; t++) {
    for (let c = 0; c < width; c++) {
      if (!Number.isFinite(samples[t * width + c])) {
        count++;
        break;
      }
    }
  }
  return count;
}

function channelValues(samples: readonly number[], width: number, length: number, channel: number): number[] {
  const out = new Array<number>(length);
  for (let t = 0; t < length; t++) out[t] = samples[t * width + channel] ?? Number.NaN;
  return out;
}

/** Longest run of finite values that all stay within epsilon of the run's first value. */
export function longestFlatRun(values: readonly number[], epsilon: number): number {
  let best = 0;
  let runStart = 0;
  for (let t = 0; t < values.length; t++) {
    const v = values[t] ?? Number.NaN;
    const anchor = values[runStart] ?? Number.NaN;
    if (!Number.isFinite(v)) {
      runStart = t + 1;
      continue;
    }
    if (!Number.isFinite(anchor) || Math.abs(v - anchor) > epsilon) runStart = t;
    best = Math.max(best, t - runStart + 1);
  }
  return best;
}

const fmt = (x: number): string => x.toFixed(3);
