// What the windower needs to know, taken from the `windowing` config section.
import type { GapPolicy, WindowingConfig } from '../config/types.ts';
import { SensorwatchError } from '../errors.ts';

export interface WindowOptions {
  /** Channel names in order; every reading has one value per channel. */
  channels: readonly string[];
  /** Samples per window. */
  length: number;
  /** A window is emitted every `hop` samples once the first is full. */
  hop: number;
  /** Expected time between two samples of one sensor, ms: used to measure gaps. */
  samplePeriodMs: number;
  /** How far (event time, ms) a reading may trail its sensor's newest reading and still be placed in order. */
  allowedLatenessMs: number;
  gapPolicy: GapPolicy;
  /** With gapPolicy 'fill': longest gap (missing samples) filled; a longer one starts a fresh window. */
  maxGapSamples: number;
  /**
   * The slot (mod hop) where a sensor's windows start; default `sensorPhase`, a hash
   * of the sensor id, so that a fleet's windows do not all complete in the same
   * instant. Tests pin it to 0 to state exact grids.
   */
  phaseOf?: (sensorId: string, hop: number) => number;
  /** The sensor type these options are of (sensorTypes); stamped on every window cut. Unset: windows carry none (read as 'default'). */
  sensorType?: string;
}

/**
 * Pure: a sensor's grid phase in [0, hop), from its id alone (FNV-1a), so a
 * restart or a replay cuts the same windows. Sensors sharing a sample period
 * then complete their windows spread over the hop, not all in one tick.
 */
export function sensorPhase(sensorId: string, hop: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < sensorId.length; i++) {
    h ^= sensorId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % hop;
}

export function windowOptions(config: WindowingConfig, sensorType?: string): WindowOptions {
  const { channels, length, hop, samplePeriodMs, allowedLatenessMs, gapPolicy, maxGapSamples } = config;
  return checkWindowOptions({ channels, length, hop, samplePeriodMs, allowedLatenessMs, gapPolicy, maxGapSamples, ...(sensorType === undefined ? {} : { sensorType }) });
}

/** Throws one error listing every problem with the options. */
export function checkWindowOptions(o: WindowOptions): WindowOptions {
  const problems: string[] = [];
  const posInt = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) problems.push(`windowing.${name} must be a positive integer, got ${v}`);
  };
  if (o.channels.length === 0) problems.push('windowing.channels must name at least one channel');
  if (new Set(o.channels).size !== o.channels.length) problems.push(`windowing.channels has duplicate names: ${o.channels.join(', ')}`);
  posInt('length', o.length);
  posInt('hop', o.hop);
  if (!(o.samplePeriodMs > 0)) problems.push(`windowing.samplePeriodMs must be > 0, got ${o.samplePeriodMs}`);
  if (!(o.allowedLatenessMs >= 0)) problems.push(`windowing.allowedLatenessMs must be >= 0, got ${o.allowedLatenessMs}`);
  if (o.gapPolicy !== 'fill' && o.gapPolicy !== 'reset') problems.push(`windowing.gapPolicy must be fill or reset, got ${String(o.gapPolicy)}`);
  if (!Number.isInteger(o.maxGapSamples) || o.maxGapSamples < 0) problems.push(`windowing.maxGapSamples must be an integer >= 0, got ${o.maxGapSamples}`);
  if (problems.length > 0) throw new SensorwatchError(`invalid window options:\n  ${problems.join('\n  ')}`, { code: 'config_invalid' });
  return o;
}
