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
//   for at least flatlineSamples consecutive samples (never when the window is
//   shorter), and for longer than the channel ever sat still in one of the
//   model's training windows (Calibration.flatRuns): a signal that sits still in
//   normal operation (a shut valve, a counter at zero while idle, a set point) is
//   not stuck when it does so again, only when it sits still longer than it ever
//   did. A model without flat runs (older than the rule): flatlineSamples alone.
import { channelValues, longestFlatRun } from '../calibration/ranges.ts';
import type { FaultConfig } from '../config/types.ts';
import type { SignalWindow } from '../types.ts';

export { longestFlatRun } from '../calibration/ranges.ts';

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

/** The training's longest flat run per channel (Calibration.flatRuns of the sensor), named by the model's channels. */
export interface KnownFlatRuns {
  channels: readonly string[];
  runs: readonly number[];
}

export function detectFault(window: WindowSamples, rules: FaultConfig, known?: KnownFlatRuns): FaultVerdict | null {
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

  // A channel stuck for flatlineSamples, and for longer than it ever sat still in training.
  const floor = (name: string): number => {
    const k = known === undefined ? -1 : known.channels.indexOf(name);
    return Math.max(rules.flatlineSamples, k < 0 ? 0 : ((known?.runs[k] ?? 0) + 1));
  };
  const stuck = window.channels.filter((name, c) => longestFlatRun(channelValues(window.samples, width, length, c), rules.flatlineEpsilon) >= floor(name));
  if (rules.flatlineSamples > 0 && rules.flatlineSamples <= length && stuck.length > 0) {
    const longer = stuck.map(floor).some((f) => f > rules.flatlineSamples);
    found.push({ fault: 'flatline', channels: stuck, detail: `flatline: ${stuck.join(', ')} stuck for >= ${Math.max(...stuck.map(floor))} samples${longer ? ' (longer than in training)' : ''}` });
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

/** The training's flat runs a sensor is judged against: its own, else (a sensor the model never saw) the longest of every sensor's per channel; undefined without any (a model older than the rule). */
export function flatRunsFor(flatRuns: Record<string, number[]> | undefined, sensorId: string, channels: readonly string[]): KnownFlatRuns | undefined {
  if (flatRuns === undefined) return undefined;
  const own = flatRuns[sensorId];
  if (own !== undefined) return { channels, runs: own };
  const all = Object.values(flatRuns);
  if (all.length === 0) return undefined;
  return { channels, runs: channels.map((_, k) => Math.max(...all.map((r) => r[k] ?? 0))) };
}

const fmt = (x: number): string => x.toFixed(3);
